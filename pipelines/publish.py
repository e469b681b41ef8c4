"""Publish the marts as a read-only copy for analysts and BI tools.

Readers never see a half-written file or a mix of two builds: the DuckDB copy is written under a
temporary name and renamed over the published one in one step; the Parquet set is written to a
new versioned folder and the `parquet` pointer (a symlink) is swapped in one step. A failure
before the swap leaves the last good copy in place.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
PUBLISHED_DB_NAME = "mopac_marts.duckdb"
KEEP_PARQUET_VERSIONS = 2  # the current set and the one before, for readers still on it


class PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class Published:
    build_id: str
    database: Path
    parquet_dir: Path
    tables: dict[str, int]


def _marts_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'warehouse' "
        "and table_schema = ? order by 1", [PUBLISHED_SCHEMA]).fetchall()]


def publish(warehouse_db: Path, published_dir: Path, *, now: datetime | None = None) -> Published:
    build_id = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    published_dir.mkdir(parents=True, exist_ok=True)
    versions_dir = published_dir / "parquet_versions"
    parquet_dir = versions_dir / build_id
    parquet_dir.mkdir(parents=True)
    staging_db = published_dir / f".{PUBLISHED_DB_NAME}.{build_id}"

    con = duckdb.connect(str(staging_db))
    try:
        con.execute(f"attach '{warehouse_db}' as warehouse (read_only)")
        tables = _marts_tables(con)
        if not tables:
            raise PublishError(f"{warehouse_db} has no {PUBLISHED_SCHEMA} tables: has the dbt build run?")
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        counts = {}
        for table in tables:
            con.execute(f"create table {PUBLISHED_SCHEMA}.{table} as select * from warehouse.{PUBLISHED_SCHEMA}.{table}")
            con.execute(f"copy {PUBLISHED_SCHEMA}.{table} to '{parquet_dir / (table + '.parquet')}' (format parquet)")
            counts[table] = con.execute(f"select count(*) from {PUBLISHED_SCHEMA}.{table}").fetchone()[0]
        con.execute("detach warehouse")
        stray = con.execute("select distinct schema_name from information_schema.schemata "
                            "where catalog_name = current_database() and schema_name not in ('main', ?)",
                            [PUBLISHED_SCHEMA]).fetchall()
        if stray:
            raise PublishError(f"the published copy would contain schemas other than marts: {stray}")
    except BaseException:
        con.close()
        staging_db.unlink(missing_ok=True)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise
    con.close()

    (parquet_dir / "BUILD.json").write_text(json.dumps({"build_id": build_id, "tables": counts}, indent=2))
    os.replace(staging_db, published_dir / PUBLISHED_DB_NAME)
    pointer = published_dir / "parquet"
    new_pointer = published_dir / f".parquet.{build_id}"
    new_pointer.symlink_to(Path("parquet_versions") / build_id, target_is_directory=True)
    os.replace(new_pointer, pointer)
    _prune_versions(versions_dir)
    return Published(build_id, published_dir / PUBLISHED_DB_NAME, pointer, counts)


def _prune_versions(versions_dir: Path) -> None:
    for old in sorted(p for p in versions_dir.iterdir() if p.is_dir())[:-KEEP_PARQUET_VERSIONS]:
        shutil.rmtree(old, ignore_errors=True)
