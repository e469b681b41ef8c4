"""Turn a feed contract into a Pandera (Polars) schema.

The schema validates the all-text frame that `pipelines.ingest.read` produces, after values are
trimmed, blanks made null and date columns parsed beside their text (`with_parsed_dates`). Each
check is named from one vocabulary (CHECK_REASONS) so that quarantine rows, tests and the
synthetic generator's defect log speak the same language. Checks are written so that one bad
value fails exactly one check: a date that does not parse fails `invalid_date` only, never also
the bound checks that compare it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from pipelines.ingest.normalise import borough_match_key, compact_postcode, parse_date
from schemas.contract import ColumnContract, FeedContract
from schemas.formats import FORMATS

CHECK_REASONS = {
    "missing_required": "a required value is missing",
    "invalid_format": "does not have the expected format",
    "invalid_date": "is not a valid date",
    "outside_file_period": "is outside the month the file is for",
    "not_allowed_value": "is not one of the allowed values",
    "unresolved_borough": "does not resolve to one of the 32 Met boroughs",
    "not_london_lsoa": "is not a London 2021 LSOA",
    "dob_out_of_range": "is not a plausible date of birth",
    "duplicate_row": "is an exact copy of an earlier row",
    "key_conflict": "shares its key with a different row",
    "wrong_field_count": "does not have one field per header column",
    "malformed_record": "is not a well-formed record",
}
# Pandera's own name for a null in a non-nullable column.
PANDERA_NOT_NULLABLE = "not_nullable"


@dataclass(frozen=True)
class RuleContext:
    """What the rules need beyond the contract: the file's period and the reference lists."""

    period_month: date | None
    borough_match_keys: frozenset[str]
    london_lsoa21: frozenset[str]


def human_date_format(date_format: str) -> str:
    return date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")


def parsed_date_column(column: str) -> str:
    return f"{column}__parsed"


def with_parsed_dates(frame: pl.DataFrame, contract: FeedContract) -> pl.DataFrame:
    """Each date column parsed once, beside its text: the checks read the parsed value and the
    load takes it, so validation and pseudonymisation can never disagree about a date."""
    return frame.with_columns(parse_date(pl.col(c.name), contract.date_format).alias(parsed_date_column(c.name))
                              for c in contract.columns if c.type == "date")


def bound_check_name(col: ColumnContract, bound: str, side: str) -> str:
    if col.bounds_check:
        return col.bounds_check
    return f"{side}_{bound}" if not bound[0].isdigit() else "out_of_range"


def _check(name: str, predicate: pl.Expr) -> pa.Check:
    """A check passing where `predicate` is true; a null value always passes (nullability is
    the column's own `missing_required` concern)."""
    return pa.Check(lambda data: data.lazyframe.select(pl.col(data.key).is_null() | predicate.fill_null(True)),
                    name=name)


def column_checks(col: ColumnContract, contract: FeedContract, context: RuleContext) -> list[pa.Check]:
    value = pl.col(col.name)
    checks: list[pa.Check] = []
    if col.format:
        pattern = FORMATS[col.format].pattern
        subject = compact_postcode(value) if col.type == "postcode" else value.str.to_uppercase()
        checks.append(_check("invalid_format", subject.str.contains(pattern)))
    if col.type == "postcode" and not col.format:
        checks.append(_check("invalid_format", compact_postcode(value).str.contains(FORMATS["postcode"].pattern)))
    if col.allowed:
        checks.append(_check("not_allowed_value", value.str.to_lowercase().is_in([a.lower() for a in col.allowed])))
    if col.type == "yes_no":
        checks.append(_check("not_allowed_value", value.str.to_uppercase().is_in(["Y", "N"])))
    if col.type == "borough":
        checks.append(_check("unresolved_borough", borough_match_key(value).is_in(list(context.borough_match_keys))))
    if col.lookup == "london_lsoa21":
        well_formed = value.str.to_uppercase().str.contains(FORMATS["lsoa21"].pattern)
        checks.append(_check("not_london_lsoa", ~well_formed | value.str.to_uppercase().is_in(list(context.london_lsoa21))))
    if col.type == "date":
        checks.extend(_date_checks(col, contract, context))
    return checks


def _date_checks(col: ColumnContract, contract: FeedContract, context: RuleContext) -> list[pa.Check]:
    this = pl.col(parsed_date_column(col.name))
    checks = [_check("invalid_date", this.is_not_null())]
    if col.in_file_period and context.period_month:
        start = context.period_month
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        checks.append(_check("outside_file_period", this.is_null() | ((this >= start) & (this < end))))
    for bound, side in ((col.not_before, "before"), (col.not_after, "after")):
        if not bound:
            continue
        other = pl.lit(date.fromisoformat(bound)) if bound[0].isdigit() else pl.col(parsed_date_column(bound))
        ok = this >= other if side == "before" else this <= other
        # An unparseable value or bound is another check's finding, not this one's.
        checks.append(_check(bound_check_name(col, bound, side), this.is_null() | other.is_null() | ok))
    return checks


def build_schema(contract: FeedContract, context: RuleContext) -> pa.DataFrameSchema:
    columns = {
        col.name: pa.Column(pl.String, nullable=not col.required, required=True,
                            checks=column_checks(col, contract, context))
        for col in contract.columns
    }
    return pa.DataFrameSchema(columns, strict=False, name=contract.feed)
