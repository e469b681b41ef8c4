"""Validate one delivery against its contract, batch by batch: decide, per row and per field, what
is loaded, what is nulled and what is quarantined; the caller decides whether the whole file must
be rejected once every row is counted.

All decisions are columnar (Polars + Pandera); nothing here writes anywhere.
"""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.ingest.findings import QUARANTINE_SCHEMA, REDACTED, no_findings, whole_row_findings
from pipelines.ingest.normalise import NORMALISERS, blank_to_null
from pipelines.ingest.read import ROW_NUMBER, Batch, normalise_header
from schemas.contract import ColumnContract, FeedContract
from schemas.formats import FORMATS
from schemas.pandera_schema import (
    CHECK_REASONS, PANDERA_NOT_NULLABLE, PARSED_TYPES, RuleContext, build_schema, condition_holds,
    human_date_format, parsed_column, row_failures, with_parsed_values)

_MAX_VALUE_CHARS = 100
_HASH_MULTIPLIER = 1_000_003


class FileRejected(ValueError):
    """The whole file fails; the message is the registry's rejection reason."""


def too_many_failures(rows_failed: int, rows_received: int, max_row_failure_share: float) -> str | None:
    """The rejection reason when more than the allowed share of rows fails at row level."""
    share = rows_failed / rows_received if rows_received else 0
    if share <= max_row_failure_share:
        return None
    return (f"{rows_failed} of {rows_received} rows ({share:.0%}) failed row-level checks, above the "
            f"{max_row_failure_share:.0%} limit (MOPAC_MAX_ROW_FAILURE_SHARE); nothing was loaded. The failing "
            "rows are listed in ops.quarantine for this file: ask the sender to correct them and re-send.")


def header_names(columns: list[str], contract: FeedContract) -> dict[str, str]:
    """Delivered column (its header normalised by the reader) -> contract column name, for every
    delivered column the contract knows (by its `source`, else its name)."""
    by_header = {normalise_header(c.delivered_as): c.name for c in contract.delivered_columns}
    return {delivered: by_header[delivered] for delivered in columns if delivered in by_header}


def check_columns(columns: list[str], contract: FeedContract) -> list[str]:
    """File-level column checks: raise for missing required columns; return warnings for extras."""
    present = set(header_names(columns, contract).values())
    missing = [contract.column(c).delivered_as for c in contract.required_columns if c not in present]
    if missing:
        raise FileRejected(
            f"required column(s) missing: {', '.join(missing)} (columns found: {', '.join(columns)}). Ask the "
            f"sender to re-send the file with the columns of the {contract.feed} contract.")
    extra = [c for c in columns if c not in header_names(columns, contract)]
    return [f"extra column(s) ignored: {', '.join(extra)}"] if extra else []


def rows_failed(findings: pl.DataFrame) -> pl.Series:
    return findings.filter(pl.col("severity") == "row")["row_number"].unique()


def with_row_findings(findings: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Both sets of findings, less the field findings on rows that are quarantined anyway (they
    would only be noise)."""
    combined = pl.concat([findings, new])
    failed = rows_failed(combined).implode()
    return (combined.filter((pl.col("severity") == "row") | ~pl.col("row_number").is_in(failed))
            .sort("row_number", "column_name", nulls_last=False))


class FileValidation:
    """Validates one delivery batch by batch. Row and field rules need only the batch; the two
    whole-file rules need only a little of every row: a 128-bit hash (an exact copy of an earlier
    row, anywhere in the file, is quarantined as soon as it is seen) and the row's key (rows sharing
    a key are all quarantined, which is settled when the file ends)."""

    def __init__(self, contract: FeedContract, context: RuleContext, columns: list[str],
                 name_parts: dict[str, str] | None = None):
        self.contract, self.context = contract, context
        self.warnings = check_columns(columns, contract)
        self._renames = header_names(columns, contract)
        self._row_failures = row_failures(contract, context)
        self._schemas: dict[frozenset[str], pa.DataFrameSchema] = {}
        present = set(self._renames.values())
        self._filled = [pl.lit(None, pl.String).alias(c.name) for c in contract.delivered_columns if c.name not in present]
        self._filled += [pl.lit((name_parts or {}).get(c.from_file_name), pl.String).alias(c.name)
                         for c in contract.columns if c.from_file_name]
        self._first_rows = pl.DataFrame(schema={"_hash_a": pl.UInt64, "_hash_b": pl.UInt64, "_first": pl.Int64})
        self._keys: list[pl.DataFrame] = []
        self._findings: list[pl.DataFrame] = []

    def batch(self, batch: Batch) -> pl.DataFrame:
        """This batch's accepted rows: contract columns (trimmed text, typed dates and numbers,
        field defects nulled) + ROW_NUMBER. Its findings are kept for `finish`."""
        frame = batch.frame.rename(self._renames).with_columns(self._filled)
        copies = self._exact_copies(frame)
        key = list(self.contract.key)
        self._keys.append(frame.select(
            pl.col(ROW_NUMBER).alias("row_number"),
            *[_cleaned(self.contract.column(k)).str.to_uppercase().alias(f"_k_{k}") for k in key],
        ).filter(~pl.col("row_number").is_in(copies["row_number"].implode())))
        cleaned = with_parsed_values(
            frame.select(ROW_NUMBER, *[_cleaned(c).alias(c.name) for c in self.contract.columns]), self.contract)
        del frame
        findings = with_row_findings(
            self._rule_findings(cleaned),
            pl.concat([batch.row_findings, whole_row_findings(
                copies, "duplicate_row", pl.lit(" (row ") + pl.col("_first").cast(pl.String) + pl.lit(")"))]))
        self._findings.append(findings)
        typed = [c.name for c in self.contract.columns if c.type in PARSED_TYPES]
        accepted = (cleaned.filter(~pl.col(ROW_NUMBER).is_in(rows_failed(findings).implode()))
                    .with_columns(pl.col(parsed_column(c)).alias(c) for c in typed)
                    .drop(parsed_column(c) for c in typed))
        return _null_defective_fields(accepted, findings.filter(pl.col("severity") == "field"))

    def finish(self) -> pl.DataFrame:
        """Every finding of the file (QUARANTINE_SCHEMA), with the key conflicts only the whole file
        shows, columns named as delivered. Rows quarantined for a key conflict were accepted by
        `batch`: the caller takes them back."""
        findings = pl.concat(self._findings) if self._findings else no_findings()
        delivered = {c.name: c.delivered_as for c in self.contract.columns}
        return (with_row_findings(findings, self._key_conflicts())
                .with_columns(pl.col("column_name").replace(delivered))
                .select(list(QUARANTINE_SCHEMA)))

    def _rule_findings(self, cleaned: pl.DataFrame) -> pl.DataFrame:
        """Pandera's findings on the rows where some rule fails and the columns where one does (one
        pass finds them): elsewhere Pandera would only make passes that find nothing. Positions in
        Pandera's failure cases are mapped back through ROW_NUMBER, so the subset is safe."""
        if not self._row_failures:
            return no_findings()
        failing_rows = cleaned.filter(pl.any_horizontal(self._row_failures.values()))
        if failing_rows.is_empty():
            return no_findings()
        flags = failing_rows.select(fails.any().alias(column) for column, fails in self._row_failures.items())
        failing = frozenset(column for column, failed in flags.row(0, named=True).items() if failed)
        if failing not in self._schemas:
            self._schemas[failing] = build_schema(self.contract, self.context, only=failing)
        return _schema_findings(failing_rows, self._schemas[failing], self.contract, self.context)

    def _exact_copies(self, frame: pl.DataFrame) -> pl.DataFrame:
        """(row_number, _first) of the rows that repeat an earlier row exactly."""
        data_columns = [c for c in frame.columns if c != ROW_NUMBER]
        hashed = pl.DataFrame({
            "row_number": frame[ROW_NUMBER],
            "_hash_a": _row_hash(frame, data_columns, seed=0),
            "_hash_b": _row_hash(frame, data_columns, seed=len(data_columns)),
        }).with_columns(pl.col("row_number").min().over("_hash_a", "_hash_b").alias("_first_here"))
        ranked = hashed.join(self._first_rows, on=["_hash_a", "_hash_b"], how="left").with_columns(
            pl.coalesce("_first", "_first_here").alias("_first"))
        self._first_rows = pl.concat([self._first_rows, ranked.filter(pl.col("_first") == pl.col("row_number")).select(
            "_hash_a", "_hash_b", "_first")])
        return ranked.filter(pl.col("_first") != pl.col("row_number")).select("row_number", "_first")

    def _key_conflicts(self) -> pl.DataFrame:
        key = list(self.contract.key)
        if not key:
            return no_findings()
        key_cols = [f"_k_{k}" for k in key]
        keys = pl.concat(self._keys) if self._keys else pl.DataFrame(
            schema={"row_number": pl.Int64, **dict.fromkeys(key_cols, pl.String)})
        conflicts = (
            keys.drop_nulls(key_cols)
            .filter(pl.len().over(key_cols) > 1)
            .with_columns(pl.col("row_number").sort().cast(pl.String).str.join(", ").over(key_cols).alias("_rows"))
        )
        key_names = ", ".join(self.contract.column(k).delivered_as for k in key)
        return whole_row_findings(conflicts, "key_conflict", pl.lit(f" ({key_names}; rows ") + pl.col("_rows") + pl.lit(")"))


def _cleaned(col: ColumnContract) -> pl.Expr:
    """Trimmed text, blank as null, then the column's normaliser if it has one."""
    value = blank_to_null(pl.col(col.name))
    return NORMALISERS[col.normalise](value) if col.normalise else value


def _row_hash(frame: pl.DataFrame, columns: list[str], seed: int) -> pl.Series:
    """A 64-bit hash of each row's values, built one column at a time (hashing all columns at once
    would hold a copy of them). Two of these with different seeds make a 128-bit row identity."""
    combined = frame.get_column(columns[0]).hash(seed=seed)
    for offset, name in enumerate(columns[1:], start=1):
        combined = combined * _HASH_MULTIPLIER + frame.get_column(name).hash(seed=seed + offset)  # wraps mod 2**64
    return combined


def _reason(contract: FeedContract, column: str, check: str, context: RuleContext) -> str:
    """What was expected, in the sender's terms."""
    col = contract.column(column)
    if check == "invalid_format" and col.type in ("integer", "number"):
        bounds = [f"at least {col.min:g}" if col.min is not None else "", f"at most {col.max:g}" if col.max is not None else ""]
        return f"{CHECK_REASONS[check]}: a {'whole ' if col.type == 'integer' else ''}number {' and '.join(b for b in bounds if b)}".rstrip()
    if check == "invalid_format":
        fmt = FORMATS[col.format or "postcode"]
        check_letter = " with its check letter" if fmt.checksum == "pnc" else ""
        return f"{CHECK_REASONS[check]} {fmt.pattern}{check_letter} (e.g. {fmt.example})"
    if check == "invalid_date":
        return f"{CHECK_REASONS[check]} in the form {human_date_format(contract.date_format_of(col))}"
    if check == "not_allowed_value" and col.only_when:
        condition = col.only_when
        allowed_when = f"is only given when {contract.column(condition.column).delivered_as} is one of: " \
                       f"{', '.join(condition.values)}"
        return allowed_when if not col.allowed else f"{CHECK_REASONS[check]}: {', '.join(col.allowed)}, and {allowed_when}"
    if check == "not_allowed_value":
        allowed = col.allowed or {"yes_no": ("Y", "N"), "boolean": ("true", "false")}.get(col.type, ())
        return f"{CHECK_REASONS[check]}: {', '.join(allowed)}"
    if check == "missing_required" and col.required_when:
        condition = col.required_when
        return (f"{CHECK_REASONS[check]} (required when {contract.column(condition.column).delivered_as} is "
                f"{' or '.join(condition.values)})")
    if check == "outside_file_period" and context.period_month:
        return f"{CHECK_REASONS[check]} ({context.period_month:%Y-%m})"
    if check.startswith(("before_", "after_")):
        side, bound = check.split("_", 1)
        return f"is {side} {contract.column(bound).delivered_as if bound in contract.column_index else bound}"
    return CHECK_REASONS.get(check, check)


def _schema_findings(frame: pl.DataFrame, schema: pa.DataFrameSchema, contract: FeedContract,
                     context: RuleContext) -> pl.DataFrame:
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
    conditional = [c for c in contract.columns if c.required_when and c.severity is None]
    positions = frame.select(
        pl.col(ROW_NUMBER).cast(pl.Int64).alias("row_number"),
        *[condition_holds(c.required_when, contract).alias(f"_required_{c.name}") for c in conditional],
    ).with_row_index("_pos")
    checks = checks.join(positions.with_columns(pl.col("_pos").cast(pl.Int64)), on="_pos", how="left")
    severity = {c.name: c.severity or ("row" if (c.required or c.name in contract.key) else "field")
                for c in contract.columns}
    row_level_here = pl.lit(False)
    for c in conditional:  # a conditionally required column fails at row level where it is required
        row_level_here = row_level_here | ((pl.col("column_name") == c.name) & pl.col(f"_required_{c.name}"))
    pii = [c.name for c in contract.columns if c.is_pii]
    reasons = pl.DataFrame(
        [(c, k, _reason(contract, c, k, context)) for c, k in checks.select("column_name", "check_name").unique().iter_rows()],
        schema={"column_name": pl.String, "check_name": pl.String, "reason": pl.String}, orient="row")
    return checks.join(reasons, on=["column_name", "check_name"], how="left").select(
        "row_number", "column_name", "check_name",
        pl.when(row_level_here).then(pl.lit("row"))
        .otherwise(pl.col("column_name").replace_strict(severity)).alias("severity"),
        "reason",
        pl.when(pl.col("_value").is_null()).then(None)
        .when(pl.col("column_name").is_in(pii)).then(pl.lit(REDACTED))
        .otherwise(pl.col("_value").cast(pl.String).str.slice(0, _MAX_VALUE_CHARS)).alias("value"),
    )


def _null_defective_fields(accepted: pl.DataFrame, field_defects: pl.DataFrame) -> pl.DataFrame:
    if field_defects.is_empty():
        return accepted
    nulls = []
    for column, rows in field_defects.group_by("column_name").agg(pl.col("row_number")).iter_rows():
        nulls.append(pl.when(pl.col(ROW_NUMBER).is_in(rows)).then(None).otherwise(pl.col(column)).alias(column))
    return accepted.with_columns(nulls)
