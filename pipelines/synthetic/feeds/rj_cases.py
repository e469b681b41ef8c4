"""`rj_cases`: Restore: London's case list, one CSV snapshot per month end.

Handling assumed for the warehouse:
- Row-level: rj_case_id blank or malformed; referral_date blank or not ISO (invalid_date);
  referral_source, cjs_stage, case_status outside their lists (not_allowed_value); borough blank
  or not resolving (unresolved_borough); a Closed case without closure_date or closure_reason
  (missing_required) or with a closure_reason outside its list (not_allowed_value); duplicates and
  key conflicts on rj_case_id.
- Field-level: crime_ref, urn, offender_crn malformed (invalid_format); victim_postcode malformed
  (invalid_format); victim_dob, assessment_date, intervention_date, closure_date unparseable
  (invalid_date); first_contact_date unparseable (invalid_date) or before referral_date
  (before_referral_date); assessment_outcome, victim_consent, offender_consent,
  intervention_type, would_recommend outside their lists and victim_satisfaction not 1-5
  (not_allowed_value).
- Accepted: resolvable borough spellings; a well-formed but wrong crime_ref (no link); victim
  name typos and nicknames.
Row-level defects only touch fields fixed at referral (id, borough, source), so a quarantined
case is quarantined in every snapshot, except a case the sender corrects in a re-sent snapshot
(always the latest, so no later snapshot contradicts it; see pipelines/synthetic/__init__.py).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import (
    RJ_ASSESSMENT, RJ_CLOSURE_REASONS, RJ_CONSENT, RJ_INTERVENTIONS, RJ_SOURCES, RJ_STAGES, RJ_STATUS, YES_NO_WORDS,
)
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.boroughs import misspelled, resolvable_variant
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ROW, Contract, FileContext, Rule, allowed, canonical, iso_date, pattern, required, unparseable, v,
)
from pipelines.synthetic.names import NICKNAMES
from pipelines.synthetic.reference import borough_names, resolved_borough

FEED = "rj_cases"
COLUMNS = (
    "rj_case_id", "referral_date", "referral_source", "borough", "cjs_stage", "crime_ref", "urn", "offender_crn",
    "victim_forename", "victim_surname", "victim_dob", "victim_postcode", "first_contact_date", "assessment_date",
    "assessment_outcome", "victim_consent", "offender_consent", "intervention_type", "intervention_date",
    "case_status", "closure_date", "closure_reason", "victim_satisfaction", "would_recommend",
)
DATES = ("referral_date", "victim_dob", "first_contact_date", "assessment_date", "intervention_date", "closure_date")


def file_name(day: dt.date) -> str:
    return f"restore_london_cases_{day.isoformat()}.csv"


def record_key() -> pl.Expr:
    return pl.col("rj_case_id").fill_null("")


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    return {f"~{c}_date": iso_date(c) for c in DATES} | {"~borough_code": resolved_borough(v("borough"))}


def _rules(ctx: FileContext) -> list[Rule]:
    closed = v("case_status").str.to_uppercase() == "CLOSED"
    satisfaction = v("victim_satisfaction")
    return [
        required("rj_case_id"),
        pattern("rj_case_id", ids.RJ_CASE_ID, ROW),
        required("referral_date"),
        unparseable("referral_date", "~referral_date_date", ROW),
        required("referral_source"),
        allowed("referral_source", RJ_SOURCES, ROW),
        required("borough"),
        Rule("borough", "unresolved_borough", ROW, v("borough").is_not_null() & pl.col("~borough_code").is_null()),
        required("cjs_stage"),
        allowed("cjs_stage", RJ_STAGES, ROW),
        required("case_status"),
        allowed("case_status", RJ_STATUS, ROW),
        Rule("closure_date", "missing_required", ROW, closed & v("closure_date").is_null()),
        Rule("closure_reason", "missing_required", ROW, closed & v("closure_reason").is_null()),
        allowed("closure_reason", RJ_CLOSURE_REASONS, ROW),
        pattern("crime_ref", ids.CRIME_REF, FIELD),
        pattern("urn", ids.URN, FIELD),
        pattern("offender_crn", ids.CRN, FIELD),
        pattern("victim_postcode", ids.POSTCODE, FIELD, upper=True),
        *[unparseable(c, f"~{c}_date", FIELD) for c in DATES if c != "referral_date"],
        Rule("first_contact_date", "before_referral_date", FIELD, pl.col("~first_contact_date_date") < pl.col("~referral_date_date")),
        allowed("assessment_outcome", RJ_ASSESSMENT, FIELD),
        allowed("victim_consent", RJ_CONSENT, FIELD),
        allowed("offender_consent", RJ_CONSENT, FIELD),
        allowed("intervention_type", RJ_INTERVENTIONS, FIELD),
        Rule("victim_satisfaction", "not_allowed_value", FIELD, satisfaction.is_not_null() & ~satisfaction.is_in(["1", "2", "3", "4", "5"])),
        allowed("would_recommend", YES_NO_WORDS, FIELD),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("rj_case_id",), rules=_rules, parsed=_parsed)


def render(cases: pl.DataFrame) -> pl.DataFrame:
    """`cases` (a snapshot of the world, with `rj_case_id` assigned), as exported."""
    iso = lambda c: pl.col(c).dt.strftime("%Y-%m-%d")  # noqa: E731
    return cases.select(
        "rj_case_id",
        referral_date=iso("referral_date"),
        referral_source="referral_source",
        borough=pl.col("borough_code").replace_strict(borough_names()),
        cjs_stage="cjs_stage",
        crime_ref="crime_ref",
        urn="urn",
        offender_crn="offender_crn",
        victim_forename="victim_forename",
        victim_surname="victim_surname",
        victim_dob=iso("victim_dob"),
        victim_postcode="victim_postcode",
        first_contact_date=iso("first_contact_date"),
        assessment_date=iso("assessment_date"),
        assessment_outcome="assessment_outcome",
        victim_consent="victim_consent",
        offender_consent="offender_consent",
        intervention_type="intervention_type",
        intervention_date=iso("intervention_date"),
        case_status="case_status",
        closure_date=iso("closure_date"),
        closure_reason="closure_reason",
        victim_satisfaction=pl.col("victim_satisfaction").cast(pl.String),
        would_recommend="would_recommend",
        _rid="rj_key",
        _order="rj_case_id",
        _person_id="victim_person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    details = ("crime_ref", "urn", "victim_forename", "victim_surname", "victim_dob", "victim_postcode")
    return handled.select(
        rj_case_id=v("rj_case_id"),
        referral_date="~referral_date_date",
        borough_code="~borough_code",
        crime_ref=v("crime_ref"),
        urn=v("urn"),
        has_details=pl.any_horizontal([v(c).is_not_null() for c in details]),
        first_contact_date="~first_contact_date_date",
        assessment_outcome=canonical("assessment_outcome", RJ_ASSESSMENT),
        victim_consent=canonical("victim_consent", RJ_CONSENT),
        intervention_type=canonical("intervention_type", RJ_INTERVENTIONS),
        intervention_date="~intervention_date_date",
        case_status=canonical("case_status", RJ_STATUS),
        closure_reason=canonical("closure_reason", RJ_CLOSURE_REASONS),
        victim_satisfaction=v("victim_satisfaction").cast(pl.Int64, strict=False),
    )


DEFECTS = [
    DefectKind("mistyped_rj_case_id", "rj_case_id", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "id.typo", keep_first=False), weight=0.5),
    DefectKind("unresolvable_borough", "borough", "unresolvable_borough", lambda d, x: misspelled(x)),
    DefectKind("resolvable_borough_variant", "borough", "resolvable_borough_variant", resolvable_variant),
    DefectKind("invalid_code", "referral_source", "invalid_code", lambda d, x: mut.pick(d, "source.bad", ["Police referral", "YOT", "Hub", "CPS"])),
    DefectKind("mistyped_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "crime_ref.typo", keep_first=False)),
    DefectKind("wrong_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.replace_digit(d, x, "crime_ref.wrong", 0, 7)),
    DefectKind("mistyped_urn", "urn", "malformed_optional", lambda d, x: mut.drop_char(d, x, "urn.typo", keep_first=False)),
    DefectKind("date_before_referral", "first_contact_date", "date_before_anchor", lambda d, x: mut.iso_shift(pl.col("referral_date"), -d.integer(mut.KEY, "contact.before", 1, 5))),
    DefectKind("invalid_code", "victim_satisfaction", "invalid_code", lambda d, x: mut.pick(d, "satisfaction.bad", ["6", "0", "Very satisfied", "4/5"]), weight=3.0),
    DefectKind("name_typo", "victim_surname", "name_typo", lambda d, x: mut.name_typo(d, x, "surname.typo")),
    DefectKind("nickname", "victim_forename", "nickname", lambda d, x: x.replace_strict(NICKNAMES, default=None), lambda: pl.col("victim_forename").is_in(list(NICKNAMES))),
    DefectKind("postcode_format_variant", "victim_postcode", "format_variant", lambda d, x: mut.postcode_variant(d, x, "postcode.variant")),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "victim_surname", "key_conflict", lambda d, x: mut.name_typo(d, x, "conflict.typo")),
]
