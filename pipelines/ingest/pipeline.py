"""Ingest what is new in the landing folder: register, validate, pseudonymise, load.

Each file is handled in one transaction: its registry row, its raw rows and its quarantine rows
are written together or not at all, so an interrupted build is simply run again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.ingest import registry
from pipelines.ingest.landing import Delivery, FileScan, LandedFile, identify, scan_file
from pipelines.ingest.load import cross_period_key_conflicts, ensure_raw_table, load_rows, record_findings, remove_rows
from pipelines.ingest.read import ReadResult, UnreadableFile, read_csv
from pipelines.ingest.reference import rule_context
from pipelines.ingest.validate import FileRejected, Validated, too_many_failures, validate
from schemas.contract import SPEC_FEEDS, FeedContract

READERS = {"csv": read_csv}


@dataclass(frozen=True)
class FileResult:
    feed: str | None
    file_name: str
    status: str
    rows_received: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    fields_nulled: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        name = f"{self.feed or '?'}/{self.file_name}"
        if self.status == "loaded":
            return (f"{name}: loaded {self.rows_loaded:,} of {self.rows_received:,} rows "
                    f"({self.rows_quarantined:,} quarantined, {self.fields_nulled:,} fields nulled)")
        return f"{name}: {self.status}" + (f" - {self.reason}" if self.reason else "")


def _in_delivery_order(files: list[tuple[LandedFile, Delivery]]) -> list[tuple[LandedFile, Delivery]]:
    """extracts.md: period (snapshot date) order, then version, then arrival."""
    return sorted(files, key=lambda fd: (fd[1].period_key, fd[1].version, fd[0].mtime_ns, fd[0].file_name))


def ingest_feed(
    con: duckdb.DuckDBPyConnection,
    contract: FeedContract,
    landing_files: list[LandedFile],
    *,
    pseudonym_key: str,
    max_row_failure_share: float,
    log: Callable[[str], None] = lambda _: None,
) -> list[FileResult]:
    registry.ensure_tables(con)
    ensure_raw_table(con, contract, pseudonym_key)
    candidates = []
    for file in landing_files:
        delivery = identify(file, {contract.feed: contract})
        if delivery and not registry.is_known(con, file):
            candidates.append((file, delivery))
    results = []
    for file, delivery in _in_delivery_order(candidates):
        result = _ingest_file(con, contract, file, delivery, pseudonym_key, max_row_failure_share)
        log(result.describe())
        results.append(result)
    return results


def _ingest_file(con, contract: FeedContract, file: LandedFile, delivery: Delivery,
                 pseudonym_key: str, max_share: float) -> FileResult:
    scan = scan_file(file.path)
    same_bytes = registry.judged_content(con, scan.sha256)
    if same_bytes:
        reason = f"identical bytes to {same_bytes.file_name} (file_id {same_bytes.file_id}); nothing changed"
        registry.register(con, file, scan, delivery, "duplicate", reason=reason)
        return FileResult(contract.feed, file.file_name, "duplicate", reason=reason)

    warnings = []
    current = registry.current_version(con, contract.feed, delivery.period_key)
    if current and current.version > delivery.version:
        reason = f"version {delivery.version} arrived after version {current.version} ({current.file_name}) was loaded"
        registry.register(con, file, scan, delivery, "superseded", reason=reason)
        return FileResult(contract.feed, file.file_name, "superseded", reason=reason)
    if current and current.version == delivery.version:
        warnings.append(f"replaces {current.file_name} (file_id {current.file_id}) at the same version "
                        f"{delivery.version}: the sender should have raised the version (_v{delivery.version + 1})")

    read: ReadResult | None = None
    try:
        read = READERS[contract.format](file.path, scan)
        warnings.extend(read.warnings)
        checked = validate(read, contract, rule_context(delivery.period_month), max_share)
    except (UnreadableFile, FileRejected) as problem:
        counts = registry.Counts(read.rows_received, 0, 0, 0) if read else registry.Counts()
        return _reject(con, contract, file, scan, delivery, str(problem), warnings, counts)
    warnings.extend(checked.warnings)

    con.begin()
    try:
        if checked.rejected_reason:
            counts = registry.Counts(checked.rows_received, 0, checked.rows_quarantined, 0)
            result = _reject(con, contract, file, scan, delivery, checked.rejected_reason, warnings, counts,
                             findings=checked.quarantine)
        else:
            result = _load(con, contract, file, scan, delivery, checked, warnings, current, pseudonym_key, max_share)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def _load(con, contract: FeedContract, file: LandedFile, scan: FileScan, delivery: Delivery, checked: Validated,
          warnings: list[str], current: registry.RegistryRow | None, pseudonym_key: str, max_share: float,
          ) -> FileResult:
    """Load, then take back the rows whose key is already current in another period (only the
    stored tokens can tell); if that pushes the failures over the limit, the file is rejected."""
    counts = registry.Counts(checked.rows_received, checked.accepted.height, checked.rows_quarantined,
                             checked.fields_nulled)
    file_id = registry.register(con, file, scan, delivery, "loaded", counts=counts, warnings=warnings)
    load_rows(con, contract, checked.accepted, file_id, pseudonym_key)
    findings = checked.quarantine
    conflicts = cross_period_key_conflicts(con, contract, file_id, delivery.period_key)
    if not conflicts.is_empty():
        taken_back = conflicts["row_number"].to_list()
        remove_rows(con, contract, file_id, taken_back)
        # Field findings on rows now quarantined would only be noise (as in validation).
        findings = pl.concat([findings.filter(~pl.col("row_number").is_in(taken_back) | (pl.col("severity") == "row")),
                              conflicts]).sort("row_number", "column_name", nulls_last=False)
        fields_nulled = findings.filter(pl.col("severity") == "field").height
        rows_quarantined = checked.rows_quarantined + len(taken_back)
        too_many = too_many_failures(rows_quarantined, checked.rows_received, max_share)
        if too_many:
            remove_rows(con, contract, file_id)
            counts = registry.Counts(checked.rows_received, 0, rows_quarantined, 0)
            registry.update_outcome(con, file_id, "rejected", counts, too_many)
            record_findings(con, contract, file_id, file.file_name, findings)
            return FileResult(contract.feed, file.file_name, "rejected", reason=too_many, **vars(counts))
        counts = registry.Counts(checked.rows_received, checked.accepted.height - len(taken_back), rows_quarantined,
                                 fields_nulled)
        registry.update_outcome(con, file_id, "loaded", counts)
    record_findings(con, contract, file_id, file.file_name, findings)
    if current:
        registry.supersede(con, current.file_id, file_id)
    return FileResult(contract.feed, file.file_name, "loaded", **vars(counts))


def _reject(con, contract: FeedContract, file: LandedFile, scan: FileScan, delivery: Delivery, reason: str,
            warnings: list[str], counts: registry.Counts, findings=None) -> FileResult:
    """A rejected file loads nothing and stays in the landing folder untouched for inspection; its
    row findings (if any) go to the quarantine so the sender can be told what to fix."""
    file_id = registry.register(con, file, scan, delivery, "rejected", counts=counts, reason=reason, warnings=warnings)
    if findings is not None:
        record_findings(con, contract, file_id, file.file_name, findings)
    return FileResult(contract.feed, file.file_name, "rejected", reason=reason, **vars(counts))


def is_waiting_for_contract(file: LandedFile, contracts: dict[str, FeedContract]) -> bool:
    """In the folder of a spec feed whose contract is not written yet: left unregistered, so it
    loads (rather than staying 'unknown') once the contract lands."""
    return file.folder in SPEC_FEEDS and file.folder not in contracts


def register_unknown_files(con: duckdb.DuckDBPyConnection, contracts: dict[str, FeedContract],
                           landing_files: list[LandedFile], log: Callable[[str], None] = lambda _: None,
                           ) -> tuple[list[FileResult], list[LandedFile]]:
    """Register files that match no feed as 'unknown' (never loaded). Returns them, and the files
    waiting in the folder of a spec feed whose contract is not written yet (left unregistered)."""
    registry.ensure_tables(con)
    unknown, waiting = [], []
    for file in landing_files:
        if is_waiting_for_contract(file, contracts):
            waiting.append(file)
            continue
        if identify(file, contracts) is not None or registry.is_known(con, file):
            continue
        reason = (f"'{file.relative_path}' matches no feed's file pattern: expected one of the patterns in "
                  "spec/extracts.md under its feed's folder; rename and re-deliver it, or remove it")
        registry.register(con, file, scan_file(file.path), None, "unknown", reason=reason)
        result = FileResult(None, file.file_name, "unknown", reason=reason)
        log(result.describe())
        unknown.append(result)
    return unknown, waiting

