"""Validate one delivery against its contract: decide, per row and per field, what is loaded,
what is nulled and what is quarantined, and whether the whole file must be rejected.

All decisions are columnar (Polars + Pandera); nothing here writes anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandera.polars as pa
import polars as pl

from pipelines.ingest.findings import QUARANTINE_SCHEMA, REDACTED, no_findings, whole_row_findings
from pipelines.ingest.normalise import blank_to_null
from pipelines.ingest.read import ROW_NUMBER, ReadResult
from schemas.contract import FeedContract
from schemas.formats import FORMATS
from schemas.pandera_schema import (
    CHECK_REASONS, PANDERA_NOT_NULLABLE, RuleContext, build_schema, human_date_format, parsed_date_column,
    with_parsed_dates)

_MAX_VALUE_CHARS = 100


class FileRejected(ValueError):
    """The whole file fails; the message is the registry's rejection reason."""


@dataclass
class Validated:
    # Contract columns (trimmed text; dates typed; field defects nulled) + ROW_NUMBER.
    accepted: pl.DataFrame
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA; row- and field-level findings
    rows_received: int
    rows_quarantined: int
    fields_nulled: int
    warnings: list[str] = field(default_factory=list)
    rejected_reason: str | None = None  # set when too many rows fail: nothing may be loaded


def too_many_failures(rows_failed: int, rows_received: int, max_row_failure_share: float) -> str | None:
    """The rejection reason when more than the allowed share of rows fails at row level."""
    share = rows_failed / rows_received if rows_received else 0
    if share <= max_row_failure_share:
        return None
    return (f"{rows_failed} of {rows_received} rows ({share:.0%}) failed row-level checks, above the "
            f"{max_row_failure_share:.0%} limit (MOPAC_MAX_ROW_FAILURE_SHARE); nothing was loaded. The failing "
            "rows are listed in ops.quarantine for this file: ask the sender to correct them and re-send.")


def check_columns(frame: pl.DataFrame, contract: FeedContract) -> list[str]:
    """File-level column checks: raise for missing required columns; return warnings for extras."""
    missing = [c for c in contract.required_columns if c not in frame.columns]
    if missing:
        raise FileRejected(
            f"required column(s) missing: {', '.join(missing)} (columns found: "
            f"{', '.join(c for c in frame.columns if c != ROW_NUMBER)}). Ask the sender to re-send the "
            f"file with the columns of the {contract.feed} contract."
        )
    known = {c.name for c in contract.columns} | {ROW_NUMBER}
    extra = [c for c in frame.columns if c not in known]
    return [f"extra column(s) ignored: {', '.join(extra)}"] if extra else []


def _structural_findings(frame: pl.DataFrame, contract: FeedContract) -> pl.DataFrame:
    """Exact duplicate rows (extra copies) and key conflicts (all rows sharing a key)."""
    data_columns = [c for c in frame.columns if c != ROW_NUMBER]
    ranked = frame.with_columns(
        pl.col(ROW_NUMBER).alias("row_number"), pl.col(ROW_NUMBER).min().over(data_columns).alias("_first"))
    copies = ranked.filter(pl.col("row_number") != pl.col("_first"))
    originals = ranked.filter(pl.col("row_number") == pl.col("_first"))
    key = list(contract.key)
    key_cols = [f"_k_{k}" for k in key]
    conflicts = (
        originals.with_columns([blank_to_null(pl.col(k)).str.to_uppercase().alias(f"_k_{k}") for k in key])
        .drop_nulls(key_cols)
        .with_columns(pl.col("row_number").count().over(key_cols).alias("_n"),
                      pl.col("row_number").sort().cast(pl.String).str.join(", ").over(key_cols).alias("_rows"))
        .filter(pl.col("_n") > 1)
    )
    return pl.concat([
        whole_row_findings(copies, "duplicate_row", pl.lit(" (row ") + pl.col("_first").cast(pl.String) + pl.lit(")")),
        whole_row_findings(conflicts, "key_conflict",
                           pl.lit(f" ({', '.join(key)}; rows ") + pl.col("_rows") + pl.lit(")")),
    ])


def _reason(contract: FeedContract, column: str, check: str, context: RuleContext) -> str:
    col = contract.column(column)
    if check == "invalid_format":
        fmt = FORMATS[col.format or "postcode"]
        return f"{CHECK_REASONS[check]} {fmt.pattern} (e.g. {fmt.example})"
    if check == "invalid_date":
        return f"{CHECK_REASONS[check]} in the form {human_date_format(contract.date_format)}"
    if check == "not_allowed_value":
        return f"{CHECK_REASONS[check]}: {', '.join(col.allowed or ('Y', 'N'))}"
    if check == "outside_file_period" and context.period_month:
        return f"{CHECK_REASONS[check]} ({context.period_month:%Y-%m})"
    if check.startswith(("before_", "after_")):
        side, bound = check.split("_", 1)
        return f"is {side} {bound}"
    return CHECK_REASONS.get(check, check)


def _schema_findings(frame: pl.DataFrame, contract: FeedContract, context: RuleContext) -> pl.DataFrame:
    schema = build_schema(contract, context)
    try:
        schema.validate(frame, lazy=True)
        return no_findings()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    cases = cases.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
    checks = cases.select(
        pl.col("index").cast(pl.Int64).alias("_pos"),
        pl.col("column").alias("column_name"),
        pl.col("check").replace(PANDERA_NOT_NULLABLE, "missing_required").alias("check_name"),
        pl.col("failure_case").alias("_value"),
    )
    positions = frame.select(pl.col(ROW_NUMBER).cast(pl.Int64).alias("row_number")).with_row_index("_pos")
    checks = checks.join(positions.with_columns(pl.col("_pos").cast(pl.Int64)), on="_pos", how="left")
    severity = {c.name: "row" if (c.required or c.name in contract.key) else "field" for c in contract.columns}
    pii = [c.name for c in contract.columns if c.is_pii]
    reasons = pl.DataFrame(
        [(c, k, _reason(contract, c, k, context)) for c, k in checks.select("column_name", "check_name").unique().iter_rows()],
        schema={"column_name": pl.String, "check_name": pl.String, "reason": pl.String}, orient="row")
    return checks.join(reasons, on=["column_name", "check_name"], how="left").select(
        "row_number", "column_name", "check_name",
        pl.col("column_name").replace_strict(severity).alias("severity"),
        "reason",
        pl.when(pl.col("_value").is_null()).then(None)
        .when(pl.col("column_name").is_in(pii)).then(pl.lit(REDACTED))
        .otherwise(pl.col("_value").cast(pl.String).str.slice(0, _MAX_VALUE_CHARS)).alias("value"),
    )


def validate(read: ReadResult, contract: FeedContract, context: RuleContext, max_row_failure_share: float) -> Validated:
    rows_received = read.rows_received
    if rows_received == 0:
        raise FileRejected("the file has a header but no data rows; ask the sender to re-send it with its records.")
    frame = read.frame
    warnings = check_columns(frame, contract)
    absent = [c.name for c in contract.columns if c.name not in frame.columns]
    frame = frame.with_columns([pl.lit(None, pl.String).alias(c) for c in absent])
    structural = _structural_findings(frame, contract)
    cleaned = with_parsed_dates(
        frame.select(ROW_NUMBER, *[blank_to_null(pl.col(c.name)).alias(c.name) for c in contract.columns]), contract)
    findings = pl.concat([read.row_findings, structural, _schema_findings(cleaned, contract, context)]).sort(
        "row_number", "column_name", nulls_last=False)

    failed_rows = findings.filter(pl.col("severity") == "row").select("row_number").unique()
    # Field findings on rows that are quarantined anyway would only be noise.
    kept_findings = findings.filter(
        (pl.col("severity") == "row") | ~pl.col("row_number").is_in(failed_rows["row_number"].implode()))
    field_defects = kept_findings.filter(pl.col("severity") == "field")
    accepted = cleaned.filter(~pl.col(ROW_NUMBER).is_in(failed_rows["row_number"].implode()))
    dates = [c.name for c in contract.columns if c.type == "date"]
    accepted = accepted.with_columns(pl.col(parsed_date_column(c)).alias(c) for c in dates).drop(
        parsed_date_column(c) for c in dates)
    accepted = _null_defective_fields(accepted, field_defects)
    return Validated(accepted, kept_findings.select(list(QUARANTINE_SCHEMA)), rows_received,
                     failed_rows.height, field_defects.height, warnings,
                     too_many_failures(failed_rows.height, rows_received, max_row_failure_share))


def _null_defective_fields(accepted: pl.DataFrame, field_defects: pl.DataFrame) -> pl.DataFrame:
    if field_defects.is_empty():
        return accepted
    nulls = []
    for column, rows in field_defects.group_by("column_name").agg(pl.col("row_number")).iter_rows():
        nulls.append(pl.when(pl.col(ROW_NUMBER).is_in(rows)).then(None).otherwise(pl.col(column)).alias(column))
    return accepted.with_columns(nulls)
