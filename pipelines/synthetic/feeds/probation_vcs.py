"""`probation_vcs`: Victim Contact Scheme cases, one JSON Lines snapshot per month end.

Columns are addressed by their JSON path ("sentence.date", "victim.postcode"), which is how the
defect log names them. `eligible`, `victim_opted_in` and `sentence.custodial_months` are written
as JSON booleans and numbers; they are never made defective.

Handling assumed for the warehouse:
- Row-level: vcs_case_id blank or malformed; crn blank (missing_required) or malformed
  (invalid_format); sentence.date blank or not ISO (invalid_date); offence_group outside the eight
  groups (not_allowed_value); duplicates and key conflicts on vcs_case_id.
- Field-level: pnc malformed or with a wrong check letter, urn malformed (invalid_format);
  referral_date unparseable (invalid_date) or before sentence.date (before_sentence_date);
  vlo_first_contact_date unparseable or before referral_date (before_referral_date); victim.dob
  and the release dates unparseable (invalid_date); victim.postcode malformed (invalid_format).
- Accepted: a well-formed but wrong URN (the case then links to no police crime); victim name
  typos and nicknames; postcode spelling variants.
Row-level defects only touch fields fixed when the case is created, so a quarantined case is
quarantined in every snapshot and never enters the current state.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import OFFENCE_GROUPS
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ROW, Contract, FileContext, Rule, allowed, iso_date, pattern, required, unparseable, v,
)
from pipelines.synthetic.names import NICKNAMES

FEED = "probation_vcs"
COLUMNS = (
    "vcs_case_id", "crn", "pnc", "urn", "offence_group", "sentence.date", "sentence.type", "sentence.custodial_months",
    "eligible", "referral_date", "victim.forename", "victim.surname", "victim.dob", "victim.postcode",
    "vlo_first_contact_date", "victim_opted_in", "release.expected_date", "release.actual_date",
    "release.notification_date", "last_updated",
)
DATES = ("sentence.date", "referral_date", "victim.dob", "vlo_first_contact_date", "release.expected_date", "release.actual_date", "release.notification_date")


def file_name(day: dt.date) -> str:
    return f"vcs_cases_{day.isoformat()}.jsonl"


def record_key() -> pl.Expr:
    return pl.col("vcs_case_id").fill_null("")


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    return {f"~{c}_date": iso_date(c) for c in DATES}


def _rules(ctx: FileContext) -> list[Rule]:
    date = lambda c: pl.col(f"~{c}_date")  # noqa: E731
    return [
        required("vcs_case_id"),
        pattern("vcs_case_id", ids.VCS_CASE_ID, ROW),
        required("crn"),
        pattern("crn", ids.CRN, ROW),
        required("sentence.date"),
        unparseable("sentence.date", "~sentence.date_date", ROW),
        required("offence_group"),
        allowed("offence_group", OFFENCE_GROUPS, ROW),
        Rule("pnc", "invalid_format", FIELD, v("pnc").is_not_null() & ~ids.valid_pnc(v("pnc")).fill_null(False)),
        pattern("urn", ids.URN, FIELD),
        *[unparseable(c, f"~{c}_date", FIELD) for c in DATES if c != "sentence.date"],
        Rule("referral_date", "before_sentence_date", FIELD, date("referral_date") < date("sentence.date")),
        Rule("vlo_first_contact_date", "before_referral_date", FIELD, date("vlo_first_contact_date") < date("referral_date")),
        pattern("victim.postcode", ids.POSTCODE, FIELD, upper=True),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("vcs_case_id",), rules=_rules, parsed=_parsed)


def render(cases: pl.DataFrame) -> pl.DataFrame:
    iso = lambda c: pl.col(c).dt.strftime("%Y-%m-%d")  # noqa: E731
    text = lambda c: pl.col(c).cast(pl.String).str.to_lowercase()  # noqa: E731
    return cases.select(
        vcs_case_id=ids.vcs_case_id(pl.col("vcs_key")),
        crn="crn",
        pnc="pnc",
        urn="urn",
        offence_group="offence_group",
        **{
            "sentence.date": iso("sentence_date"),
            "sentence.type": "sentence_type",
            "sentence.custodial_months": pl.col("custodial_months").cast(pl.String),
            "eligible": text("eligible"),
            "referral_date": iso("referral_date"),
            "victim.forename": "victim_forename",
            "victim.surname": "victim_surname",
            "victim.dob": iso("victim_dob"),
            "victim.postcode": "victim_postcode",
            "vlo_first_contact_date": iso("vlo_first_contact_date"),
            "victim_opted_in": text("victim_opted_in"),
            "release.expected_date": iso("release_expected_date"),
            "release.actual_date": iso("release_actual_date"),
            "release.notification_date": iso("notification_date"),
            "last_updated": pl.col("last_updated").dt.strftime("%Y-%m-%d") + "T" + _time_of_day(),
        },
        _rid="vcs_key",
        _order=ids.vcs_case_id(pl.col("vcs_key")),
        _person_id="victim_person_id",
        _crime_id="crime_id",
    )


def _time_of_day() -> pl.Expr:
    minutes = (pl.col("vcs_key") * 37 + pl.col("last_updated").dt.day()) % 540 + 8 * 60
    return pl.concat_str((minutes // 60).cast(pl.String).str.zfill(2), pl.lit(":"), (minutes % 60).cast(pl.String).str.zfill(2), pl.lit(":00"))


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    return handled.select(
        vcs_case_id=v("vcs_case_id"),
        urn=v("urn"),
        sentence_date="~sentence.date_date",
        eligible=v("eligible") == "true",
        referral_date="~referral_date_date",
        vlo_first_contact_date="~vlo_first_contact_date_date",
        victim_opted_in=v("victim_opted_in") == "true",
        release_actual_date="~release.actual_date_date",
        notification_date="~release.notification_date_date",
    )


DEFECTS = [
    DefectKind("mistyped_crn", "crn", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "crn.typo")),
    DefectKind("wrong_urn", "urn", "mistyped_reference", lambda d, x: mut.replace_digit(d, x, "urn.wrong", 4, 5)),
    DefectKind("mistyped_urn", "urn", "malformed_optional", lambda d, x: mut.drop_char(d, x, "urn.typo", keep_first=False), weight=0.5),
    DefectKind("invalid_pnc", "pnc", "malformed_optional", lambda d, x: mut.wrong_check_letter(x), weight=0.5),
    DefectKind("date_before_sentence", "referral_date", "date_before_anchor", lambda d, x: mut.iso_shift(pl.col("sentence.date"), -d.integer(mut.KEY, "referral.before", 1, 5))),
    DefectKind("date_before_referral", "vlo_first_contact_date", "date_before_anchor", lambda d, x: mut.iso_shift(pl.col("referral_date"), -d.integer(mut.KEY, "vlo.before", 1, 5)), lambda: pl.col("referral_date").is_not_null()),
    DefectKind("invalid_date", "victim.dob", "invalid_date", lambda d, x: mut.impossible_iso_date(d, x, "dob.bad")),
    DefectKind("name_typo", "victim.surname", "name_typo", lambda d, x: mut.name_typo(d, x, "surname.typo")),
    DefectKind("nickname", "victim.forename", "nickname", lambda d, x: x.replace_strict(NICKNAMES, default=None), lambda: pl.col("victim.forename").is_in(list(NICKNAMES))),
    DefectKind("postcode_format_variant", "victim.postcode", "format_variant", lambda d, x: mut.postcode_variant(d, x, "postcode.variant")),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "victim.surname", "key_conflict", lambda d, x: mut.name_typo(d, x, "conflict.typo")),
]
