"""Validation as the warehouse must apply it, so expected metrics and the defect log agree with it.

A feed contract is a list of rules over a delivered file (all values as text, trimmed, blank =
missing). A failing row-level rule quarantines the row; a failing field-level rule nulls that
field and keeps the row. Within a file, exact duplicate rows are loaded once (the extra copies
fail `duplicate_row`) and different rows sharing a key all fail `key_conflict`; rows with a
blank key part never conflict (they already fail `missing_required`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from pipelines.synthetic.months import Month

ROW, FIELD = "row", "field"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
DMY_DATE = r"^\d{2}/\d{2}/\d{4}$"
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
EARLIEST_DOB = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class FileContext:
    feed: str
    file_name: str
    period: Month | None = None
    snapshot_date: dt.date | None = None
    version: int = 1
    # The n-th delivery under this exact file name (2: the same name re-sent with new bytes).
    delivery: int = 1


@dataclass(frozen=True)
class Rule:
    column: str | None
    check: str
    severity: str
    fails: pl.Expr


@dataclass(frozen=True)
class Contract:
    feed: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    rules: Callable[[FileContext], list[Rule]]
    # Extra parsed columns the rules and the loader use (named with a leading "~").
    parsed: Callable[[FileContext], dict[str, pl.Expr]] = lambda ctx: {}
    key_normalisers: dict[str, Callable[[pl.Expr], pl.Expr]] = field(default_factory=dict)


def v(column: str) -> pl.Expr:
    """The trimmed value of a delivered column, null when blank."""
    return pl.col(f"~{column}")


def iso_date(column: str) -> pl.Expr:
    value = v(column)
    return pl.when(value.str.contains(ISO_DATE)).then(value.str.strptime(pl.Date, "%Y-%m-%d", strict=False))


def dmy_date(column: str) -> pl.Expr:
    value = v(column)
    return pl.when(value.str.contains(DMY_DATE)).then(value.str.strptime(pl.Date, "%d/%m/%Y", strict=False))


def required(column: str) -> Rule:
    return Rule(column, "missing_required", ROW, v(column).is_null())


def pattern(column: str, regex: str, severity: str, upper: bool = False) -> Rule:
    value = v(column).str.to_uppercase() if upper else v(column)
    return Rule(column, "invalid_format", severity, value.is_not_null() & ~value.str.contains(regex))


def allowed(column: str, values: Sequence, severity: str) -> Rule:
    """Case-insensitive code list membership."""
    upper = [str(x).upper() for x in values]
    return Rule(column, "not_allowed_value", severity, v(column).is_not_null() & ~v(column).str.to_uppercase().is_in(upper))


def canonical(column: str, values: Sequence[str]) -> pl.Expr:
    """The code list's own spelling of a case-insensitively matching value."""
    return v(column).str.to_uppercase().replace_strict({x.upper(): x for x in values}, default=None)


def unparseable(column: str, parsed: str, severity: str) -> Rule:
    """Present but not a date in the expected format (`parsed` is the "~" column holding the parse)."""
    return Rule(column, "invalid_date", severity, v(column).is_not_null() & pl.col(parsed).is_null())


def with_trimmed(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns(
        [pl.col(c).str.strip_chars().replace("", None).alias(f"~{c}") for c in columns]
    )


def prepare(contract: Contract, frame: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    frame = with_trimmed(frame, contract.columns)
    parsed = contract.parsed(ctx)
    return frame.with_columns(**parsed) if parsed else frame


def validate(contract: Contract, frame: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    """Every failure in `frame` (which has `_row_number`): _row_number, column, check, severity."""
    prepared = prepare(contract, frame, ctx)
    rules = contract.rules(ctx)
    flags = prepared.select("_row_number", *[r.fails.fill_null(False).alias(f"r{i}") for i, r in enumerate(rules)])
    parts = [
        flags.filter(pl.col(f"r{i}")).select(
            "_row_number", column=pl.lit(r.column, pl.String), check=pl.lit(r.check), severity=pl.lit(r.severity)
        )
        for i, r in enumerate(rules)
    ]
    parts.append(_duplicates_and_conflicts(contract, prepared))
    return pl.concat(parts).sort("_row_number", "check")


def _duplicates_and_conflicts(contract: Contract, prepared: pl.DataFrame) -> pl.DataFrame:
    raw = pl.struct([pl.col(c) for c in contract.columns])
    key_parts = [contract.key_normalisers.get(c, lambda e: e)(v(c)) for c in contract.key]
    frame = prepared.select(
        "_row_number",
        duplicate=~raw.is_first_distinct(),
        key=pl.struct([k.alias(f"k{i}") for i, k in enumerate(key_parts)]),
        key_complete=pl.all_horizontal([k.is_not_null() for k in key_parts]),
    )
    distinct = frame.filter(~pl.col("duplicate") & pl.col("key_complete"))
    conflicting = distinct.filter(pl.col("key").is_duplicated()).select("_row_number")
    return pl.concat([
        frame.filter(pl.col("duplicate")).select(
            "_row_number", column=pl.lit(None, pl.String), check=pl.lit("duplicate_row"), severity=pl.lit(ROW)
        ),
        conflicting.select(
            "_row_number", column=pl.lit(None, pl.String), check=pl.lit("key_conflict"), severity=pl.lit(ROW)
        ),
    ])


def handle(contract: Contract, frame: pl.DataFrame, failures: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    """The rows the warehouse loads, with field-level failures nulled, trimmed and parsed
    ("~" columns recomputed after nulling)."""
    quarantined = failures.filter(pl.col("severity") == ROW)["_row_number"].unique()
    kept = frame.filter(~pl.col("_row_number").is_in(quarantined.implode()))
    nulled = failures.filter(pl.col("severity") == FIELD)
    for column, rows in nulled.group_by("column", maintain_order=True).agg(pl.col("_row_number")).iter_rows():
        kept = kept.with_columns(
            pl.when(pl.col("_row_number").is_in(pl.Series(rows).implode())).then(None).otherwise(pl.col(column)).alias(column)
        )
    return prepare(contract, kept, ctx)
