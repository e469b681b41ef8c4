"""Findings: what the readers and the validation found wrong, in the shape of ops.quarantine.

A finding names file row, column, check and reason; a value is kept only for non-personal
columns (and never for whole-row findings, whose row may hold anything).
"""
from __future__ import annotations

import polars as pl

from schemas.pandera_schema import CHECK_REASONS

QUARANTINE_SCHEMA = {
    "row_number": pl.Int64, "column_name": pl.String, "check_name": pl.String,
    "severity": pl.String, "reason": pl.String, "value": pl.String,
}
REDACTED = "[redacted: personal data]"
# What a finding means for the row and what the sender should do, by severity.
CONSEQUENCES = {
    "row": ". The row was not loaded: the sender should correct it and send the file again.",
    "field": ". The value was not loaded (the rest of the row was): the sender should correct it at source.",
}


def no_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def whole_row_findings(rows: pl.DataFrame, check: str, detail: pl.Expr | str = "") -> pl.DataFrame:
    """Row-level findings about whole rows of `rows` (which has a `row_number` column); `detail`
    completes the check's reason, e.g. by naming the other rows involved."""
    detail_expr = pl.lit(detail) if isinstance(detail, str) else detail
    return rows.select(
        pl.col("row_number").cast(pl.Int64),
        pl.lit(None, pl.String).alias("column_name"),
        pl.lit(check).alias("check_name"),
        pl.lit("row").alias("severity"),
        (pl.lit(CHECK_REASONS[check]) + detail_expr).alias("reason"),
        pl.lit(None, pl.String).alias("value"),
    )


def with_consequences(findings: pl.DataFrame) -> pl.DataFrame:
    """Each reason completed with what it meant for the row and what the sender should do."""
    return findings.with_columns(pl.col("reason") + pl.col("severity").replace_strict(CONSEQUENCES))
