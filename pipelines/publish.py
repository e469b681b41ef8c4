"""Publish the marts as a read-only copy for analysts and BI tools.

Readers never see a half-written file or a mix of two builds: the DuckDB copy is written under a
temporary name and renamed over the published one in one step; the Parquet set is written to a
new versioned folder and the `parquet` pointer (a symlink) is swapped in one step. A failure
before the swap leaves the last good copy in place.

A table that did not change since the published build costs no copying: every marts table gets a
fingerprint (row count, sum of row hashes, column names and types), recorded in the build's
BUILD.json. The next build starts from a file copy of the published database and replaces only
the tables whose fingerprint changed; an unchanged table's Parquet file is a hard link to the
previous version's. When the published build cannot be trusted as a starting point, every table
is written (a full publish) and the result says why.

A publish killed part-way (SIGKILL, the OOM killer) runs no clean-up of its own. Until it reaches
the database swap, the published copy is untouched, and all it leaves is its staging database and
an unfinished version folder. Killed between the two swaps, it leaves the new database beside the
previous Parquet set. `recover_interrupted_publish`, run by every writer under the write lock
before anything else (and by `publish` itself), finishes that swap (the new version folder is
complete and its BUILD.json describes the database in place) and removes every other leftover.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.sql import quote_identifier

PUBLISHED_SCHEMA = "marts"
PUBLISHED_DB_NAME = "mopac_marts.duckdb"
PARQUET_POINTER = "parquet"
PARQUET_VERSIONS_DIR = "parquet_versions"
BUILD_FILE = "BUILD.json"
KEEP_PARQUET_VERSIONS = 2  # the current set and the one before, for readers still on it
# DuckDB's default (80% of RAM) let a full publish of a 12M-row mart peak at 2.5 GB, mostly cached
# blocks; 1 GB held it at 1.1 GB for about the same time (measured with pipelines.publish_benchmark).
PUBLISH_MEMORY_LIMIT = "1GB"
# Tables have no row order to keep; letting DuckDB write in whatever order its threads finish took
# copying a five-year fct_victim_crime (1M rows) and writing its Parquet file from 2.4 s to 2.0 s.
PUBLISH_CONFIG = {"memory_limit": PUBLISH_MEMORY_LIMIT, "preserve_insertion_order": False}


class PublishError(RuntimeError):
    pass


class _FullPublish(Exception):
    """Why the published build cannot be the starting point of the next one."""


@dataclass(frozen=True)
class TableFingerprint:
    """What a table holds, cheap to compute in DuckDB: equal fingerprints mean the same rows."""
    rows: int
    row_hash_sum: str  # a HUGEINT, kept as text so that JSON readers without big integers read it whole
    columns: str  # names and types in order: a renamed or retyped column hashes like the old one


@dataclass(frozen=True)
class Published:
    build_id: str
    database: Path
    parquet_dir: Path
    tables: dict[str, int]  # rows of every published table
    written: tuple[str, ...]  # tables copied from the warehouse by this build
    reused: tuple[str, ...]  # tables unchanged since the previous build, kept without rewriting
    full_publish_reason: str | None  # why every table was written; None when the previous build was reused

    @property
    def full_publish(self) -> bool:
        return self.full_publish_reason is not None


@dataclass(frozen=True)
class _PreviousBuild:
    database: Path
    parquet_dir: Path
    fingerprints: dict[str, TableFingerprint]


@dataclass(frozen=True)
class Recovery:
    """What recover_interrupted_publish did."""
    finished_swap: str | None  # the build whose database was in place and whose Parquet set is now too
    removed: tuple[str, ...]  # leftovers of killed publishes, relative to the published folder

    def describe(self) -> str | None:
        said = []
        if self.finished_swap:
            said.append(f"a publish killed between its two swaps left build {self.finished_swap}'s database "
                        "beside the previous Parquet set: its Parquet set is now swapped in too")
        if self.removed:
            said.append(f"removed what killed publishes left: {', '.join(self.removed)}")
        if not said:
            return None
        text = "; ".join(said)
        return f"{text[0].upper()}{text[1:]}."


def publish(warehouse_db: Path, published_dir: Path, *, now: datetime | None = None) -> Published:
    """Publish the warehouse's marts. Call it holding the warehouse write lock: one publish at a time."""
    build_id = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    published_dir.mkdir(parents=True, exist_ok=True)
    recover_interrupted_publish(published_dir)
    versions_dir = published_dir / PARQUET_VERSIONS_DIR
    parquet_dir = versions_dir / build_id
    parquet_dir.mkdir(parents=True)
    staging_db = published_dir / f".{PUBLISHED_DB_NAME}.{build_id}"

    try:
        con, previous, full_publish_reason = _connect_staging(published_dir, staging_db)
        try:
            fingerprints, reused = _bring_staging_up_to_date(con, warehouse_db, parquet_dir, previous)
        finally:
            con.close()
        (parquet_dir / BUILD_FILE).write_text(json.dumps(
            _build_record(build_id, fingerprints, _file_identity(staging_db)), indent=2))
    except BaseException:
        _remove_database(staging_db)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise

    # The two swaps. A crash between them leaves this build's database beside the previous build's
    # Parquet set; the next writer finishes the second swap (recover_interrupted_publish).
    os.replace(staging_db, published_dir / PUBLISHED_DB_NAME)
    pointer = _point_parquet_at(published_dir, build_id)
    _prune_versions(versions_dir, build_id)
    return Published(build_id, published_dir / PUBLISHED_DB_NAME, pointer,
                     tables={table: fingerprint.rows for table, fingerprint in fingerprints.items()},
                     written=tuple(table for table in fingerprints if table not in reused),
                     reused=tuple(reused), full_publish_reason=full_publish_reason)


def recover_interrupted_publish(published_dir: Path) -> Recovery:
    """Finish or clear what a publish killed part-way left. Call it holding the warehouse write lock
    (no publish is running): every staging database and pointer there is a killed publish's.

    - a version folder newer than the one the `parquet` pointer shows, complete, whose BUILD.json
      describes the published database (the database swap was made, the pointer swap was not):
      the pointer is swapped to it, so both copies are that build again;
    - any other newer version folder (half-written, or its database never swapped in), staging
      databases (`.mopac_marts.duckdb.<id>` and their WAL), new pointers (`.parquet.<id>`): removed;
    - versions older than the one before the current: pruned, as after every publish.
    """
    if not published_dir.is_dir():
        return Recovery(None, ())
    removed = []
    leftovers = [*published_dir.glob(f".{PUBLISHED_DB_NAME}.*"), *published_dir.glob(f".{PARQUET_POINTER}.*")]
    for leftover in sorted(leftovers):
        leftover.unlink(missing_ok=True)
        removed.append(leftover.name)
    versions_dir = published_dir / PARQUET_VERSIONS_DIR
    if not versions_dir.is_dir():
        return Recovery(None, tuple(removed))
    current = _current_version(published_dir)
    newer = sorted(v for v in versions_dir.iterdir() if v.is_dir() and (current is None or v.name > current))
    finished = next((v.name for v in reversed(newer) if _describes_published_database(v, published_dir)), None)
    if finished:
        _point_parquet_at(published_dir, finished)
        current = finished
    removed += [f"{PARQUET_VERSIONS_DIR}/{name}" for name in _prune_versions(versions_dir, current)]
    return Recovery(finished, tuple(removed))


def _current_version(published_dir: Path) -> str | None:
    """The version folder the `parquet` pointer shows, if there is a pointer."""
    try:
        return Path(os.readlink(published_dir / PARQUET_POINTER)).name
    except OSError:
        return None


def _describes_published_database(version: Path, published_dir: Path) -> bool:
    """A complete version folder (its BUILD.json is written last) whose BUILD.json was written for the
    database now published."""
    try:
        record = json.loads((version / BUILD_FILE).read_text())
        return (record["database_file"] == _file_identity(published_dir / PUBLISHED_DB_NAME)
                and all((version / _parquet_name(table)).is_file() for table in record["fingerprints"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _point_parquet_at(published_dir: Path, build_id: str) -> Path:
    """Swap the `parquet` pointer to a version folder in one step (a new symlink renamed over it)."""
    pointer = published_dir / PARQUET_POINTER
    new_pointer = published_dir / f".{PARQUET_POINTER}.{build_id}"
    new_pointer.unlink(missing_ok=True)
    new_pointer.symlink_to(Path(PARQUET_VERSIONS_DIR) / build_id, target_is_directory=True)
    os.replace(new_pointer, pointer)
    return pointer


def _connect_staging(published_dir: Path, staging_db: Path
                     ) -> tuple[duckdb.DuckDBPyConnection, _PreviousBuild | None, str | None]:
    """The staging database: a copy of the published one when it can be trusted, else a new file."""
    try:
        previous = _previous_build(published_dir)
        # sendfile under the hood: as fast as an os.copy_file_range loop on this ext4 machine, and simpler
        shutil.copyfile(previous.database, staging_db)
        return _connect_copy(staging_db), previous, None
    except _FullPublish as reason:
        return _connect(staging_db), None, str(reason)


def _previous_build(published_dir: Path) -> _PreviousBuild:
    """The published build, checked to be one the next build can start from; raises _FullPublish if not."""
    database = published_dir / PUBLISHED_DB_NAME
    parquet_dir = (published_dir / PARQUET_POINTER).resolve()
    if not database.is_file() or not parquet_dir.is_dir():
        raise _FullPublish("there is no published copy yet")
    try:
        record = json.loads((parquet_dir / BUILD_FILE).read_text())
        fingerprints = {table: TableFingerprint(**fingerprint) for table, fingerprint in record["fingerprints"].items()}
        duckdb_version, database_file = record["duckdb_version"], record["database_file"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise _FullPublish(f"the published {BUILD_FILE} is missing, unreadable or has no fingerprints "
                           f"({type(error).__name__}: {error})") from None
    if duckdb_version != duckdb.__version__:
        # DuckDB does not promise that hash() gives the same values in another version
        raise _FullPublish(f"the published copy was fingerprinted by DuckDB {duckdb_version}, this is {duckdb.__version__}")
    if database_file != _file_identity(database):
        # The database and the Parquet pointer are swapped one after the other: after a crash between
        # the two, the database is not the build BUILD.json describes, and starting from it would
        # keep stale tables as "unchanged".
        raise _FullPublish(f"the published database is not the file its {BUILD_FILE} describes "
                           "(replaced or modified outside publishing)")
    missing = [table for table in fingerprints if not (parquet_dir / _parquet_name(table)).is_file()]
    if missing:
        raise _FullPublish(f"the published Parquet set lacks {missing}")
    return _PreviousBuild(database, parquet_dir, fingerprints)


def _connect_copy(staging_db: Path) -> duckdb.DuckDBPyConnection:
    try:
        return _connect(staging_db)
    except duckdb.Error as error:
        _remove_database(staging_db)
        raise _FullPublish(f"the published database cannot be opened ({type(error).__name__}: {error})") from None


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(database), config=PUBLISH_CONFIG)


def _bring_staging_up_to_date(con: duckdb.DuckDBPyConnection, warehouse_db: Path, parquet_dir: Path,
                              previous: _PreviousBuild | None) -> tuple[dict[str, TableFingerprint], list[str]]:
    """Make the staging database and parquet_dir hold the warehouse's marts; returns the fingerprints
    of every table and the tables reused from the previous build."""
    con.execute("attach ? as warehouse (read_only)", [str(warehouse_db)])
    fingerprints = _warehouse_fingerprints(con)
    if not fingerprints:
        raise PublishError(f"{warehouse_db} has no {PUBLISHED_SCHEMA} tables: has the dbt build run?")
    previous_fingerprints = previous.fingerprints if previous else {}
    reused = [table for table, fingerprint in fingerprints.items() if previous_fingerprints.get(table) == fingerprint]

    _drop_tables_except(con, reused)
    for table in fingerprints:
        if table in reused:
            os.link(previous.parquet_dir / _parquet_name(table), parquet_dir / _parquet_name(table))
        else:
            con.execute(f"create table {_published_table(table)} as select * from {_warehouse_table(table)}")
            con.execute(f"copy {_published_table(table)} to ? (format parquet)", [str(parquet_dir / _parquet_name(table))])
    con.execute("detach warehouse")
    _refuse_stray_schemas(con)
    return fingerprints, reused


def _drop_tables_except(con: duckdb.DuckDBPyConnection, kept: list[str]) -> None:
    """Drop every staging table not in kept: the changed ones and those no longer in the marts."""
    con.execute(f"create schema if not exists {quote_identifier(PUBLISHED_SCHEMA)}")
    for table in _staging_tables(con):
        if table not in kept:
            con.execute(f"drop table {_published_table(table)}")
    # Without a checkpoint between the drops and the new tables, DuckDB cannot reuse the dropped
    # tables' blocks, and the file grows by a changed table's size on every build.
    con.execute("checkpoint")


def _warehouse_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, TableFingerprint]:
    """The fingerprint of every marts table of the attached warehouse, by table name."""
    columns = con.execute(
        "select table_name, string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) "
        "from information_schema.columns where table_catalog = 'warehouse' and table_schema = ? "
        "group by table_name order by table_name", [PUBLISHED_SCHEMA]).fetchall()
    return {table: _fingerprint(con, table, table_columns) for table, table_columns in columns}


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str, columns: str) -> TableFingerprint:
    # hash(*columns(*)) hashes the whole row in column order (a row alias, hash(t), would silently
    # hash a column named t instead); NULL hashes like any other value. DuckDB XORs the last
    # column's hash into the row hash, so values of that column swapped between rows would cancel
    # out in an aggregate: hashing the row hash again mixes it. A sum, unlike bit_xor, also sees a
    # pair of duplicate rows replaced by another pair.
    rows, row_hash_sum = con.execute(
        f"select count(*), coalesce(sum(hash(hash(*columns(*)))), 0) from {_warehouse_table(table)}").fetchone()
    return TableFingerprint(rows, str(row_hash_sum), columns)


def _staging_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [table for (table,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = ?", [PUBLISHED_SCHEMA]).fetchall()]


def _refuse_stray_schemas(con: duckdb.DuckDBPyConnection) -> None:
    stray = con.execute("select distinct schema_name from information_schema.schemata "
                        "where catalog_name = current_database() and schema_name not in ('main', ?)",
                        [PUBLISHED_SCHEMA]).fetchall()
    if stray:
        raise PublishError(f"the published copy would contain schemas other than marts: {stray}")


def _build_record(build_id: str, fingerprints: dict[str, TableFingerprint], database_file: dict[str, int]) -> dict:
    return {"build_id": build_id,
            "tables": {table: fingerprint.rows for table, fingerprint in fingerprints.items()},
            "fingerprints": {table: asdict(fingerprint) for table, fingerprint in fingerprints.items()},
            "duckdb_version": duckdb.__version__,
            "database_file": database_file}


def _file_identity(path: Path) -> dict[str, int]:
    """Enough to tell the file BUILD.json was written with from any other: os.replace keeps all three."""
    stat = path.stat()
    return {"inode": stat.st_ino, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _published_table(table: str) -> str:
    return f"{quote_identifier(PUBLISHED_SCHEMA)}.{quote_identifier(table)}"


def _warehouse_table(table: str) -> str:
    return f"warehouse.{_published_table(table)}"


def _parquet_name(table: str) -> str:
    return f"{table}.parquet"


def _remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def _prune_versions(versions_dir: Path, current: str | None) -> list[str]:
    """Keep the current version and the one before it (readers may still be on it); remove the rest,
    including any newer than the current one (never published). Returns the names removed."""
    versions = sorted(p.name for p in versions_dir.iterdir() if p.is_dir())
    kept = [v for v in versions if current is not None and v <= current][-KEEP_PARQUET_VERSIONS:]
    removed = [v for v in versions if v not in kept]
    for name in removed:
        shutil.rmtree(versions_dir / name, ignore_errors=True)
    return removed
