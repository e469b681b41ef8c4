"""`police_outcomes`: crime outcomes, one CSV per outcome month (period feed).

Handling assumed for the warehouse:
- Row-level: crime_ref blank (missing_required) or malformed (invalid_format); outcome_code blank
  (missing_required) or not an integer 1-22 (not_allowed_value); outcome_date blank, not ISO
  (invalid_date) or outside the file's month (outside_file_period); for a charge (code 1): urn
  blank (missing_required) or malformed (invalid_format), vps_offered blank (missing_required) or
  not Y/N (not_allowed_value); duplicates and key conflicts on (crime_ref, outcome_date).
- Field-level: urn malformed on a non-charge (invalid_format); vps_offered not Y/N on a non-charge
  and victim_withdrew_support not Y/N (not_allowed_value); suspect_pnc malformed or with a wrong
  check letter (invalid_format).
- Accepted: lower-case y/n; a well-formed but wrong URN (it just fails to link).
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import CHARGE, OUTCOME_CODES, YES_NO
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ROW, Contract, FileContext, Rule, allowed, iso_date, pattern, required, unparseable, v,
)
from pipelines.synthetic.months import Month

FEED = "police_outcomes"
COLUMNS = ("crime_ref", "outcome_code", "outcome_date", "urn", "suspect_pnc", "vps_offered", "victim_withdrew_support")


def file_name(month: Month, version: int = 1) -> str:
    suffix = f"_v{version}" if version > 1 else ""
    return f"met_outcomes_{month.label}{suffix}.csv"


def record_key() -> pl.Expr:
    return pl.concat_str(pl.col("crime_ref").fill_null(""), pl.lit("|"), pl.col("outcome_date").fill_null(""))


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    code = v("outcome_code")
    return {
        "~outcome_date_date": iso_date("outcome_date"),
        "~code": pl.when(code.str.contains(r"^\d{1,2}$")).then(code.cast(pl.Int64, strict=False)),
    }


def _rules(ctx: FileContext) -> list[Rule]:
    outcome_date, code = pl.col("~outcome_date_date"), pl.col("~code")
    charge = code == CHARGE
    urn_bad = v("urn").is_not_null() & ~v("urn").str.contains(ids.URN)
    vps_bad = v("vps_offered").is_not_null() & ~v("vps_offered").str.to_uppercase().is_in(list(YES_NO))
    return [
        required("crime_ref"),
        pattern("crime_ref", ids.CRIME_REF, ROW),
        required("outcome_code"),
        Rule("outcome_code", "not_allowed_value", ROW, v("outcome_code").is_not_null() & ~code.is_in(list(OUTCOME_CODES)).fill_null(False)),
        required("outcome_date"),
        unparseable("outcome_date", "~outcome_date_date", ROW),
        Rule("outcome_date", "outside_file_period", ROW, outcome_date.is_not_null() & ~outcome_date.is_between(ctx.period.start, ctx.period.end)),
        Rule("urn", "missing_required", ROW, charge & v("urn").is_null()),
        Rule("urn", "invalid_format", ROW, charge & urn_bad),
        Rule("urn", "invalid_format", FIELD, ~charge.fill_null(False) & urn_bad),
        Rule("vps_offered", "missing_required", ROW, charge & v("vps_offered").is_null()),
        Rule("vps_offered", "not_allowed_value", ROW, charge & vps_bad),
        Rule("vps_offered", "not_allowed_value", FIELD, ~charge.fill_null(False) & vps_bad),
        Rule("suspect_pnc", "invalid_format", FIELD, v("suspect_pnc").is_not_null() & ~ids.valid_pnc(v("suspect_pnc")).fill_null(False)),
        allowed("victim_withdrew_support", YES_NO, FIELD),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("crime_ref", "outcome_date"), rules=_rules, parsed=_parsed)


def render(outcomes: pl.DataFrame) -> pl.DataFrame:
    return outcomes.select(
        "crime_ref",
        outcome_code=pl.col("outcome_code").cast(pl.String),
        outcome_date=pl.col("outcome_date").dt.strftime("%Y-%m-%d"),
        urn="urn",
        suspect_pnc="suspect_pnc",
        vps_offered=pl.when(pl.col("vps_offered")).then(pl.lit("Y")).when(pl.col("vps_offered").not_()).then(pl.lit("N")),
        victim_withdrew_support="victim_withdrew_support",
        _rid="crime_id",
        _order="outcome_date",
        _person_id="victim_person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    return handled.select(
        crime_ref=v("crime_ref"),
        outcome_code="~code",
        outcome_date="~outcome_date_date",
        urn=v("urn"),
        vps_offered=v("vps_offered").str.to_uppercase() == "Y",
    )


def charged() -> pl.Expr:
    return pl.col("outcome_code") == "1"


DEFECTS = [
    DefectKind("mistyped_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "crime_ref.typo", keep_first=False)),
    DefectKind("invalid_code", "outcome_code", "invalid_code", lambda d, x: mut.pick(d, "code.bad", ["23", "0", "1a", "Charged", "CHS"])),
    DefectKind("swapped_day_month", "outcome_date", "swapped_day_month", lambda d, x: mut.iso_swap_day_month(x), lambda: mut.iso_day_and_month_swappable(pl.col("outcome_date"))),
    DefectKind("missing_urn", "urn", "missing_reference", lambda d, x: pl.lit(None, pl.String), charged),
    DefectKind("mistyped_urn", "urn", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "urn.typo", keep_first=False), charged, weight=0.5),
    DefectKind("wrong_urn", "urn", "mistyped_reference", lambda d, x: mut.replace_digit(d, x, "urn.wrong", 4, 5), charged, weight=0.5),
    DefectKind("invalid_code", "vps_offered", "invalid_code", lambda d, x: x.replace_strict({"Y": "Yes", "N": "No"}, default="Yes"), charged),
    DefectKind("lowercase_code", "vps_offered", "format_variant", lambda d, x: x.str.to_lowercase(), charged),
    DefectKind("invalid_pnc", "suspect_pnc", "malformed_optional", lambda d, x: mut.wrong_check_letter(x)),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "victim_withdrew_support", "key_conflict", lambda d, x: x.replace_strict({"Y": "N", "N": "Y"}, default="N")),
]
