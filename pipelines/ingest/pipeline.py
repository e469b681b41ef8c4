"""Ingest what is new in the landing folder: register, validate, pseudonymise, load.

Each file is handled in one transaction: its registry row, its raw rows and its quarantine rows
are written together or not at all, so an interrupted build is simply run again. A file's pure half
(hashing, reading, validating, preparing the rows) runs a little ahead in a background thread
(`prefetch`), so the next file is being validated while this one is written.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial

import duckdb
import polars as pl

from pipelines.ingest import registry
from pipelines.ingest.findings import no_findings, with_consequences
from pipelines.ingest.landing import Delivery, FileScan, LandedFile, identify, scan_file
from pipelines.ingest.load import cross_period_key_conflicts, ensure_raw_table, load_rows, record_findings, remove_rows
from pipelines.ingest.prefetch import prefetched
from pipelines.ingest.pseudonymise import PseudonymKeyMismatch, prepare
from pipelines.ingest.read import Batch, DeliveryRows, UnreadableFile
from pipelines.ingest.readers import open_rows
from pipelines.ingest.reference import rule_context
from pipelines.ingest.validate import FileRejected, FileValidation, rows_failed, too_many_failures, with_row_findings
from schemas.contract import FeedContract

# Rows validated and loaded at a time: a few hundred MB at most in memory, and few enough calls that
# their fixed cost (Pandera, the token lookup, the insert) stays small.
CHUNK_ROWS = 125_000
# Prepared chunks computed ahead of the load: one waiting and one being computed hold about two
# chunks more in memory than loading them as they come.
PREFETCH_CHUNKS = 1


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


class IngestDefect(RuntimeError):
    """Ingestion failed in a way the checks do not describe; the message names the file only."""


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
    for file in registry.not_yet_registered(con, landing_files):
        delivery = identify(file, {contract.feed: contract})
        if delivery:
            candidates.append((file, delivery))
    results = []
    ordered = _in_delivery_order(candidates)
    work = [partial(_read_and_validate, contract, file, delivery) for file, delivery in ordered]
    with closing(prefetched(work, PREFETCH_CHUNKS, heavy=lambda step: isinstance(step, pl.DataFrame))) as ahead:
        for (file, delivery), steps in zip(ordered, ahead):
            try:
                result = _ingest_file(con, contract, file, delivery, steps, max_row_failure_share)
                if result is None:
                    continue
            except PseudonymKeyMismatch:
                raise
            except Exception as error:
                # A library's message may quote the row it failed on: keep where it happened (the
                # traceback), never what it said.
                raise IngestDefect(
                    f"{contract.feed}/{file.file_name}: ingestion stopped on an unexpected {type(error).__name__} (a "
                    "defect of the warehouse, not of the delivery); its message is withheld because it may quote the "
                    "file's values. Nothing of this file was loaded; report it with the traceback."
                ).with_traceback(error.__traceback__) from None
            log(result.describe())
            results.append(result)
    return results


@dataclass(frozen=True)
class _Warnings:
    messages: list[str]


@dataclass(frozen=True)
class _Read:
    """The whole file read: what only its end shows."""
    rows_received: int | None
    findings: pl.DataFrame


def _read_and_validate(contract: FeedContract, file: LandedFile,
                       delivery: Delivery) -> Iterator[FileScan | _Warnings | pl.DataFrame | _Read]:
    """A file's pure half, step by step: its scan, the reader's and validation's warnings, each chunk
    of accepted rows prepared for the load, then `_Read`. An unreadable or rejected file raises
    (after `_Read` when its rows were counted). Nothing here touches the warehouse."""
    scan = scan_file(file.path)
    yield scan
    rows = open_rows(contract, file.path, scan)
    yield _Warnings(rows.warnings)
    try:
        validation = FileValidation(contract, rule_context(delivery.period_month), rows.columns, delivery.name_parts)
    except FileRejected:
        yield _Read(_count(rows), no_findings())
        raise
    yield _Warnings(validation.warnings)
    for chunk in _chunks(rows, CHUNK_ROWS):
        yield prepare(validation.batch(chunk), contract)
    if rows.rows_received == 0:
        yield _Read(0, no_findings())
        raise FileRejected("the file has a header but no data rows; ask the sender to re-send it with its records.")
    yield _Read(rows.rows_received, validation.finish())


def _ingest_file(con, contract: FeedContract, file: LandedFile, delivery: Delivery,
                 steps: Iterator[FileScan | _Warnings | pl.DataFrame | _Read], max_share: float) -> FileResult | None:
    """The file's fate, or None when it holds the bytes already registered at its path. `steps` is
    the file's `_read_and_validate`; what is left of it when the file is not loaded is skipped."""
    scan = next(steps)
    if registry.refresh_if_unchanged(con, file, scan):
        return None
    same_bytes = registry.judged_content(con, contract.feed, scan.sha256)
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
        warnings.append(
            f"replaces {current.file_name} (file_id {current.file_id}), sent earlier for the same snapshot date with "
            "other bytes" if contract.delivery == "snapshot" else
            f"replaces {current.file_name} (file_id {current.file_id}) at the same version {delivery.version}: the "
            f"sender should have raised the version (_v{delivery.version + 1})")

    con.begin()
    try:
        file_id = registry.register(con, file, scan, delivery, "loaded")
        outcome = _load_file(con, contract, steps, delivery, file_id, max_share, warnings)
        registry.update_outcome(con, file_id, outcome.status, outcome.counts, outcome.reason, warnings)
        record_findings(con, contract, file_id, file.file_name, with_consequences(outcome.findings))
        if current and outcome.status == "loaded":
            registry.supersede(con, current.file_id, file_id)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return FileResult(contract.feed, file.file_name, outcome.status, reason=outcome.reason, **vars(outcome.counts))


@dataclass(frozen=True)
class _Outcome:
    status: str
    counts: registry.Counts
    findings: pl.DataFrame
    reason: str | None = None


def _load_file(con, contract: FeedContract, steps: Iterator[_Warnings | pl.DataFrame | _Read], delivery: Delivery,
               file_id: int, max_share: float, warnings: list[str]) -> _Outcome:
    """Stream the file into raw.<feed> chunk by chunk, then settle what only the whole file shows:
    rows sharing a key, keys already current in another period, truncation, the failure share. A
    rejected file's rows are taken back; it stays in the landing folder untouched for inspection,
    and its findings go to the quarantine so the sender can be told what to fix."""
    read = _Read(None, no_findings())
    findings = read.findings
    try:
        for step in steps:
            if isinstance(step, _Warnings):
                warnings.extend(step.messages)
            elif isinstance(step, _Read):
                read = step
            else:
                load_rows(con, contract, step, file_id)
        findings = read.findings
        if contract.delivery == "period" and contract.key:  # a snapshot repeats every record by design
            conflicts = cross_period_key_conflicts(con, contract, file_id, delivery.period_key)
            if not conflicts.is_empty():
                findings = with_row_findings(findings, conflicts)
        taken_back = rows_failed(findings)
        remove_rows(con, contract, file_id, taken_back.to_list())
        counts = registry.Counts(read.rows_received, read.rows_received - taken_back.len(), taken_back.len(),
                                 findings.filter(pl.col("severity") == "field").height)
        too_many = too_many_failures(counts.rows_quarantined, read.rows_received, max_share)
        if too_many:
            raise FileRejected(too_many)
        return _Outcome("loaded", counts, findings)
    except (UnreadableFile, FileRejected) as problem:
        remove_rows(con, contract, file_id)
        failed = rows_failed(findings).len()
        counts = registry.Counts(read.rows_received, 0, failed, 0) if read.rows_received is not None else registry.Counts()
        return _Outcome("rejected", counts, findings, str(problem))


def _chunks(batches: Iterable[Batch], rows: int) -> Iterator[Batch]:
    """The reader's batches gathered into chunks of about `rows` rows: the reader's blocks stay small
    (its memory), while validating and loading, which cost a fixed amount per call, run on fewer,
    larger chunks."""
    def merged(pending: list[Batch]) -> Batch:
        return Batch(pl.concat([b.frame for b in pending]), pl.concat([b.row_findings for b in pending]))

    pending: list[Batch] = []
    for batch in batches:
        pending.append(batch)
        if sum(b.frame.height for b in pending) >= rows:
            yield merged(pending)
            pending = []
    if pending:
        yield merged(pending)


def _count(rows: DeliveryRows) -> int:
    for _ in rows:
        pass
    return rows.rows_received


def register_unknown_files(con: duckdb.DuckDBPyConnection, contracts: dict[str, FeedContract],
                           landing_files: list[LandedFile], log: Callable[[str], None] = lambda _: None,
                           ) -> list[FileResult]:
    """Register files that match no feed as 'unknown' (never loaded); return them."""
    registry.ensure_tables(con)
    unknown = []
    for file in registry.not_yet_registered(con, [f for f in landing_files if identify(f, contracts) is None]):
        scan = scan_file(file.path)
        if registry.refresh_if_unchanged(con, file, scan):
            continue
        reason = (f"'{file.relative_path}' matches no feed's file pattern: expected one of the patterns in "
                  "spec/extracts.md under its feed's folder; rename and re-deliver it, or remove it")
        registry.register(con, file, scan, None, "unknown", reason=reason)
        result = FileResult(None, file.file_name, "unknown", reason=reason)
        log(result.describe())
        unknown.append(result)
    return unknown

