"""`police_crimes`: Met victims of crime, one CSV per report month (period feed).

Handling (what the warehouse must do; these rules are the contract the expected metrics follow):
- Row-level (quarantined): crime_ref blank (missing_required) or not `^\\d{7}/\\d{2}$`
  (invalid_format); victim_ref blank (missing_required) or not `^V\\d{8}$` once upper-cased
  (invalid_format); report_date blank (missing_required), not an ISO date (invalid_date) or outside
  the file's month (outside_file_period); offence_group not one of the eight groups,
  case-insensitively, and hate_crime / domestic_abuse / enhanced_rights not Y or N
  (not_allowed_value); offence_subgroup blank (missing_required); borough not resolving
  (unresolved_borough); exact duplicates beyond the first (duplicate_row); rows sharing
  (crime_ref, victim_ref) but otherwise different (key_conflict, all of them).
- Field-level (nulled, row kept): offence_date unparseable (invalid_date) or after report_date
  (after_report_date); lsoa21_code not `^E01\\d{6}$` (invalid_format) or not a London LSOA
  (not_london_lsoa); victim_dob unparseable (invalid_date), after report_date or before 1900
  (dob_out_of_range); victim_postcode not a UK postcode (invalid_format); victim_gender,
  victim_ethnicity, support_consent outside their code lists (not_allowed_value);
  needs_assessment_date, support_referral_date, rj_info_date unparseable (invalid_date) or before
  report_date (before_report_date).
- Accepted as they are: lower-case codes and victim_ref, postcodes in lower case or without the
  space, borough spellings the matching rule resolves, name typos and nicknames.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import ETHNICITY_CODES, GENDERS, OFFENCE_GROUPS, SUPPORT_CONSENT, YES_NO
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.boroughs import misspelled, resolvable_variant
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    EARLIEST_DOB, FIELD, ROW, Contract, FileContext, Rule, allowed, canonical, iso_date, pattern,
    required, unparseable, v,
)
from pipelines.synthetic.months import Month
from pipelines.synthetic.names import NICKNAMES
from pipelines.synthetic.reference import borough_names, london_lsoas, resolved_borough

FEED = "police_crimes"
COLUMNS = (
    "crime_ref", "victim_ref", "report_date", "offence_date", "offence_group", "offence_subgroup", "hate_crime",
    "domestic_abuse", "borough", "lsoa21_code", "victim_forename", "victim_surname", "victim_dob",
    "victim_postcode", "victim_phone", "victim_email", "victim_gender", "victim_ethnicity", "enhanced_rights",
    "needs_assessment_date", "support_consent", "support_referral_date", "rj_info_date",
)
FOLLOW_UPS = ("needs_assessment_date", "support_referral_date", "rj_info_date")
FLAGS = ("hate_crime", "domestic_abuse", "enhanced_rights")


def file_name(month: Month, version: int = 1) -> str:
    suffix = f"_v{version}" if version > 1 else ""
    return f"met_crimes_{month.label}{suffix}.csv"


def record_key() -> pl.Expr:
    return pl.concat_str(pl.col("crime_ref").fill_null(""), pl.lit("|"), pl.col("victim_ref").fill_null(""))


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    dates = {f"~{c}_date": iso_date(c) for c in ("report_date", "offence_date", "victim_dob", *FOLLOW_UPS)}
    return {**dates, "~borough_code": resolved_borough(v("borough"))}


def _rules(ctx: FileContext) -> list[Rule]:
    report = pl.col("~report_date_date")
    london = london_lsoas()["lsoa21_code"].to_list()
    rules = [
        required("crime_ref"),
        pattern("crime_ref", ids.CRIME_REF, ROW),
        required("victim_ref"),
        pattern("victim_ref", ids.VICTIM_REF, ROW, upper=True),
        required("report_date"),
        unparseable("report_date", "~report_date_date", ROW),
        Rule("report_date", "outside_file_period", ROW, report.is_not_null() & ~report.is_between(ctx.period.start, ctx.period.end)),
        required("offence_group"),
        allowed("offence_group", OFFENCE_GROUPS, ROW),
        required("offence_subgroup"),
        *[r for flag in FLAGS for r in (required(flag), allowed(flag, YES_NO, ROW))],
        required("borough"),
        Rule("borough", "unresolved_borough", ROW, v("borough").is_not_null() & pl.col("~borough_code").is_null()),
        unparseable("offence_date", "~offence_date_date", FIELD),
        Rule("offence_date", "after_report_date", FIELD, pl.col("~offence_date_date") > report),
        pattern("lsoa21_code", ids.LSOA21, FIELD),
        Rule("lsoa21_code", "not_london_lsoa", FIELD, v("lsoa21_code").str.contains(ids.LSOA21) & ~v("lsoa21_code").is_in(london)),
        unparseable("victim_dob", "~victim_dob_date", FIELD),
        Rule("victim_dob", "dob_out_of_range", FIELD, (pl.col("~victim_dob_date") > report) | (pl.col("~victim_dob_date") < EARLIEST_DOB)),
        pattern("victim_postcode", ids.POSTCODE, FIELD, upper=True),
        allowed("victim_gender", GENDERS, FIELD),
        allowed("victim_ethnicity", ETHNICITY_CODES, FIELD),
        allowed("support_consent", SUPPORT_CONSENT, FIELD),
    ]
    for column in FOLLOW_UPS:
        rules.append(unparseable(column, f"~{column}_date", FIELD))
        rules.append(Rule(column, "before_report_date", FIELD, pl.col(f"~{column}_date") < report))
    return rules


CONTRACT = Contract(
    feed=FEED,
    columns=COLUMNS,
    key=("crime_ref", "victim_ref"),
    rules=_rules,
    parsed=_parsed,
    key_normalisers={"victim_ref": lambda e: e.str.to_uppercase()},
)


def render(victims: pl.DataFrame) -> pl.DataFrame:
    """The police export of `victims` (world rows): every column as text, in spec order."""
    iso = lambda c: pl.col(c).dt.strftime("%Y-%m-%d")  # noqa: E731
    yn = lambda c: pl.when(pl.col(c)).then(pl.lit("Y")).otherwise(pl.lit("N"))  # noqa: E731
    return victims.select(
        "crime_ref",
        "victim_ref",
        report_date=iso("report_date"),
        offence_date=iso("offence_date"),
        offence_group="offence_group",
        offence_subgroup="offence_subgroup",
        hate_crime=yn("hate_crime"),
        domestic_abuse=yn("domestic_abuse"),
        borough=pl.col("borough_code").replace_strict(borough_names()),
        lsoa21_code="lsoa21_code",
        victim_forename="victim_forename",
        victim_surname="victim_surname",
        victim_dob=iso("victim_dob"),
        victim_postcode="victim_postcode",
        victim_phone="victim_phone",
        victim_email="victim_email",
        victim_gender="victim_gender",
        victim_ethnicity="victim_ethnicity",
        enhanced_rights=yn("enhanced_rights"),
        needs_assessment_date=iso("needs_assessment_date"),
        support_consent="support_consent",
        support_referral_date=iso("support_referral_date"),
        rj_info_date=iso("rj_info_date"),
        _rid="victim_row_id",
        _order="report_date",
        _person_id="person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    """What the metrics read from loaded rows (after validation)."""
    return handled.select(
        crime_ref=v("crime_ref"),
        victim_ref=v("victim_ref").str.to_uppercase(),
        report_date="~report_date_date",
        borough_code="~borough_code",
        enhanced_rights=v("enhanced_rights").str.to_uppercase() == "Y",
        support_consent=canonical("support_consent", SUPPORT_CONSENT),
        needs_assessment_date="~needs_assessment_date_date",
        support_referral_date="~support_referral_date_date",
        rj_info_date="~rj_info_date_date",
    )


def _non_london_lsoa(d, value: pl.Expr) -> pl.Expr:
    """An English LSOA code outside London (London's codes are E01000001-E01004765 and E0103xxxx)."""
    return pl.concat_str(pl.lit("E010"), (d.integer(mut.KEY, "lsoa.elsewhere", 10_000, 29_999)).cast(pl.String))


def _flag_typo(d, value: pl.Expr) -> pl.Expr:
    return pl.when(value == "Y").then(mut.pick(d, "flag.yes", ["Yes", "1", "TRUE"])).otherwise(mut.pick(d, "flag.no", ["No", "0", "FALSE"]))


def _other_gender(d, value: pl.Expr) -> pl.Expr:
    return value.replace_strict({"M": "F", "F": "M", "X": "U", "U": "X"}, default="U")


DEFECTS = [
    DefectKind("mistyped_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "crime_ref.typo", keep_first=False)),
    DefectKind("missing_crime_ref", "crime_ref", "missing_reference", lambda d, x: pl.lit(None, pl.String), lambda: pl.col("victim_ref").is_unique()),
    DefectKind("mistyped_victim_ref", "victim_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "victim_ref.typo")),
    DefectKind("lowercase_code", "victim_ref", "format_variant", lambda d, x: x.str.to_lowercase(), weight=0.2),
    DefectKind("missing_required", "offence_subgroup", "missing_required", lambda d, x: pl.lit(None, pl.String)),
    DefectKind("invalid_date", "report_date", "invalid_date", lambda d, x: mut.iso_to_dmy(x), weight=0.5),
    DefectKind("swapped_day_month", "report_date", "swapped_day_month", lambda d, x: mut.iso_swap_day_month(x), lambda: mut.iso_day_and_month_swappable(pl.col("report_date")), weight=0.4),
    DefectKind("invalid_code", "offence_group", "invalid_code", lambda d, x: mut.pick(d, "group.bad", ["Burglery", "Violence", "VAP", "Theft & Handling", "Sexual"]), weight=0.4),
    DefectKind("invalid_code", "hate_crime", "invalid_code", _flag_typo, weight=0.15),
    DefectKind("lowercase_code", "enhanced_rights", "format_variant", lambda d, x: x.str.to_lowercase(), weight=0.4),
    DefectKind("unresolvable_borough", "borough", "unresolvable_borough", lambda d, x: misspelled(x)),
    DefectKind("resolvable_borough_variant", "borough", "resolvable_borough_variant", resolvable_variant),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "victim_gender", "key_conflict", _other_gender),
    DefectKind("date_after_report", "offence_date", "date_before_anchor", lambda d, x: mut.iso_shift(pl.col("report_date"), d.integer(mut.KEY, "offence.after", 1, 10)), weight=0.3),
    DefectKind("invalid_date", "offence_date", "invalid_date", lambda d, x: mut.impossible_iso_date(d, x, "offence.bad"), weight=0.3),
    DefectKind("invalid_lsoa", "lsoa21_code", "malformed_optional", lambda d, x: mut.drop_char(d, x, "lsoa.typo"), weight=0.3),
    DefectKind("non_london_lsoa", "lsoa21_code", "malformed_optional", _non_london_lsoa, weight=0.2),
    DefectKind("dob_out_of_range", "victim_dob", "malformed_optional", lambda d, x: mut.iso_shift(pl.col("report_date"), d.integer(mut.KEY, "dob.future", 1, 400)), weight=0.2),
    DefectKind("invalid_date", "victim_dob", "invalid_date", lambda d, x: mut.impossible_iso_date(d, x, "dob.bad"), weight=0.2),
    DefectKind("swapped_day_month", "victim_dob", "swapped_day_month", lambda d, x: mut.iso_swap_day_month(x), lambda: mut.iso_day_and_month_swappable(pl.col("victim_dob")), weight=0.3),
    DefectKind("invalid_postcode", "victim_postcode", "malformed_optional", lambda d, x: mut.broken_postcode(d, x, "postcode.bad"), weight=0.3),
    DefectKind("postcode_format_variant", "victim_postcode", "format_variant", lambda d, x: mut.postcode_variant(d, x, "postcode.variant")),
    DefectKind("invalid_code", "victim_gender", "invalid_code", lambda d, x: x.replace_strict({"M": "Male", "F": "Female", "X": "Other", "U": "Unknown"}, default="Unknown"), weight=0.2),
    DefectKind("invalid_code", "victim_ethnicity", "invalid_code", lambda d, x: mut.pick(d, "ethnicity.bad", ["W4", "White British", "B3", "A5", "Not Stated"]), weight=0.2),
    DefectKind("invalid_code", "support_consent", "invalid_code", lambda d, x: mut.pick(d, "consent.bad", ["Yes", "Declined", "Consented", "No - declined"]), weight=0.25),
    *[
        DefectKind("date_before_report", column, "date_before_anchor", lambda d, x, c=column: mut.iso_shift(pl.col("report_date"), -d.integer(mut.KEY, f"{c}.before", 1, 5)), weight=0.25)
        for column in FOLLOW_UPS
    ],
    *[
        DefectKind("invalid_date", column, "invalid_date", lambda d, x, c=column: mut.impossible_iso_date(d, x, f"{c}.bad"), weight=0.1)
        for column in FOLLOW_UPS
    ],
    *[
        DefectKind("swapped_day_month", column, "swapped_day_month", lambda d, x: mut.iso_swap_day_month(x), lambda c=column: mut.iso_day_and_month_swappable(pl.col(c)), weight=0.2)
        for column in FOLLOW_UPS
    ],
    DefectKind("name_typo", "victim_surname", "name_typo", lambda d, x: mut.name_typo(d, x, "surname.typo")),
    DefectKind("name_typo", "victim_forename", "name_typo", lambda d, x: mut.name_typo(d, x, "forename.typo"), weight=0.5),
    DefectKind("nickname", "victim_forename", "nickname", lambda d, x: x.replace_strict(NICKNAMES, default=None), lambda: pl.col("victim_forename").is_in(list(NICKNAMES))),
]
