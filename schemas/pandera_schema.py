"""Turn a feed contract into a Pandera (Polars) schema.

The schema validates the all-text frame that `pipelines.ingest.read` produces, after values are
trimmed, blanks made null and typed columns parsed beside their text (`with_parsed_values`). Each
check is named from one vocabulary (CHECK_REASONS) so that quarantine rows, tests and the
synthetic generator's defect log speak the same language. Checks are written so that one bad
value fails exactly one check: a date that does not parse fails `invalid_date` only, never also
the bound checks that compare it.
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from pipelines.ingest.normalise import (
    borough_match_key, compact_postcode, parse_date, parse_integer, parse_number, parse_timestamp)
from schemas.contract import ColumnContract, Condition, FeedContract
from schemas.formats import FORMATS, PNC_CHECK_LETTERS

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
    return (date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%H", "hh")
            .replace("%M", "mm").replace("%S", "ss"))


# Column types read into a typed value once, beside their text (validation and load both use it).
PARSED_TYPES = {"date", "timestamp", "month", "integer", "number"}


def parsed_column(column: str) -> str:
    return f"{column}__parsed"


def parsed_value(col: ColumnContract, contract: FeedContract) -> pl.Expr:
    value = pl.col(col.name)
    if col.type in ("date", "month"):
        return parse_date(value, contract.date_format_of(col))
    if col.type == "timestamp":
        return parse_timestamp(value, contract.date_format_of(col))
    if col.type == "integer":
        return parse_integer(value)
    return parse_number(value)


def with_parsed_values(frame: pl.DataFrame, contract: FeedContract) -> pl.DataFrame:
    """Each date, time and number column parsed once, beside its text: the checks read the parsed
    value and the load takes it, so validation and pseudonymisation can never disagree about it."""
    return frame.with_columns(parsed_value(c, contract).alias(parsed_column(c.name))
                              for c in contract.columns if c.type in PARSED_TYPES)


def condition_holds(condition: Condition, contract: FeedContract) -> pl.Expr:
    """True on the rows meeting the condition (never null)."""
    col = contract.column(condition.column)
    if col.type == "integer":
        return pl.col(parsed_column(col.name)).is_in([int(v) for v in condition.values]).fill_null(False)
    return pl.col(col.name).str.to_lowercase().is_in([v.lower() for v in condition.values]).fill_null(False)


def bound_check_name(col: ColumnContract, bound: str, side: str) -> str:
    if col.bounds_check:
        return col.bounds_check
    return f"{side}_{bound}" if not bound[0].isdigit() else "out_of_range"


@dataclass(frozen=True)
class Rule:
    """One named check of a column: `passes` is true on every row whose value passes it."""

    name: str
    passes: pl.Expr

    def as_pandera_check(self) -> pa.Check:
        passes = self.passes
        return pa.Check(lambda data: data.lazyframe.select(passes), name=self.name, ignore_na=False)


def _rule(column: str, name: str, predicate: pl.Expr) -> Rule:
    """A rule passing where `predicate` is true; a null value always passes (nullability is the
    column's own `missing_required` concern)."""
    return Rule(name, pl.col(column).is_null() | predicate.fill_null(True))


def _rule_nulls_too(name: str, predicate: pl.Expr) -> Rule:
    """A rule on every row, null values included (a conditional requirement)."""
    return Rule(name, predicate.fill_null(True))


def _pnc_check_letter_ok(value: pl.Expr) -> pl.Expr:
    number = (value.str.slice(2, 2) + value.str.slice(5, 7)).cast(pl.Int64, strict=False)
    letters = pl.Series(list(PNC_CHECK_LETTERS))
    expected = (number % 23).replace_strict(list(range(23)), letters.to_list(), default=None)
    return value.str.slice(12, 1) == expected


def column_rules(col: ColumnContract, contract: FeedContract, context: RuleContext) -> list[Rule]:
    value = pl.col(col.name)
    parsed = pl.col(parsed_column(col.name))
    rule = functools.partial(_rule, col.name)
    rules: list[Rule] = []
    if col.required_when:
        rules.append(_rule_nulls_too("missing_required",
                                       ~(condition_holds(col.required_when, contract) & value.is_null())))
    if col.format:
        fmt = FORMATS[col.format]
        subject = compact_postcode(value) if col.type == "postcode" else value.str.to_uppercase()
        well_formed = subject.str.contains(fmt.pattern)
        if fmt.checksum == "pnc":
            well_formed = well_formed & _pnc_check_letter_ok(subject).fill_null(False)
        rules.append(rule("invalid_format", well_formed))
    if col.type == "postcode" and not col.format:
        rules.append(rule("invalid_format", compact_postcode(value).str.contains(FORMATS["postcode"].pattern)))
    if col.type in ("integer", "number"):
        within = parsed.is_not_null()
        if col.min is not None:
            within = within & (parsed >= col.min)
        if col.max is not None:
            within = within & (parsed <= col.max)
        if col.allowed:
            allowed = [int(a) for a in col.allowed] if col.type == "integer" else [float(a) for a in col.allowed]
            rules.append(rule("not_allowed_value", parsed.is_in(allowed).fill_null(False)))
        else:
            rules.append(rule("invalid_format", within.fill_null(False)))
    elif col.allowed:
        rules.append(rule("not_allowed_value", value.str.to_lowercase().is_in([a.lower() for a in col.allowed])))
    if col.only_when:
        rules.append(rule("not_allowed_value", condition_holds(col.only_when, contract)))
    if col.type == "yes_no":
        rules.append(rule("not_allowed_value", value.str.to_uppercase().is_in(["Y", "N"])))
    if col.type == "boolean":
        rules.append(rule("not_allowed_value", value.str.to_lowercase().is_in(["true", "false"])))
    if col.type == "borough" and col.unresolved != "keep":
        rules.append(rule("unresolved_borough", borough_match_key(value).is_in(list(context.borough_match_keys))))
    if col.lookup == "london_lsoa21":
        well_formed = value.str.to_uppercase().str.contains(FORMATS["lsoa21"].pattern)
        rules.append(rule("not_london_lsoa", ~well_formed | value.str.to_uppercase().is_in(list(context.london_lsoa21))))
    if col.type in ("date", "timestamp", "month"):
        rules.extend(_date_rules(col, contract, context))
    return rules


def _as_date(col: ColumnContract, expr: pl.Expr) -> pl.Expr:
    return expr.dt.date() if col.type == "timestamp" else expr


def _date_rules(col: ColumnContract, contract: FeedContract, context: RuleContext) -> list[Rule]:
    this = _as_date(col, pl.col(parsed_column(col.name)))
    rule = functools.partial(_rule, col.name)
    rules = [rule("invalid_date", this.is_not_null())]
    if col.in_file_period and context.period_month:
        start = context.period_month
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        rules.append(rule("outside_file_period", this.is_null() | ((this >= start) & (this < end))))
    for bound, side in ((col.not_before, "before"), (col.not_after, "after")):
        if not bound:
            continue
        other = (pl.lit(date.fromisoformat(bound)) if bound[0].isdigit()
                 else _as_date(contract.column(bound), pl.col(parsed_column(bound))))
        ok = this >= other if side == "before" else this <= other
        # An unparseable value or bound is another check's finding, not this one's.
        rules.append(rule(bound_check_name(col, bound, side), this.is_null() | other.is_null() | ok))
    return rules


def build_schema(contract: FeedContract, context: RuleContext,
                 only: Collection[str] | None = None) -> pa.DataFrameSchema:
    """The feed's schema: every contract column with its rules (only the named columns when given)."""
    columns = {
        col.name: pa.Column(pl.String, nullable=not col.required, required=True,
                            checks=[rule.as_pandera_check() for rule in column_rules(col, contract, context)])
        for col in contract.columns if only is None or col.name in only
    }
    return pa.DataFrameSchema(columns, strict=False, name=contract.feed)


def row_failures(contract: FeedContract, context: RuleContext) -> dict[str, pl.Expr]:
    """Per column with rules: true on the rows failing one of them or lacking a required value.
    Every rule reads only its own row, so Pandera, which makes a pass per check, needs to see only
    the rows where one of these is true, and only the columns where one is."""
    failures = {}
    for col in contract.columns:
        fails = [~rule.passes for rule in column_rules(col, contract, context)]
        if col.required:
            fails.append(pl.col(col.name).is_null())
        if fails:
            failures[col.name] = pl.any_horizontal(fails)
    return failures
