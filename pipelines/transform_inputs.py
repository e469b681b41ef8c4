"""What the dbt build reads, as one fingerprint, and the fingerprint of the last published build.

A build with nothing new (no file registered or changed status, the same bank holidays, the same
dbt project) would rebuild and republish exactly what is already published. The dbt asset compares
`read_transform_inputs(...).fingerprint` with the one recorded for the last publish and, when they
are equal, runs neither dbt nor publish.

What dbt reads, and how each part is fingerprinted:
- `ops.file_registry`: its `file_id` and `status` only (count, highest id, and a digest of the
  sorted `(file_id, status)` pairs, so row order does not matter). Every load registers a file and
  every change of current version changes a status, so raw.* and ops.quarantine are covered too.
- `reference.bank_holidays`: a digest of its sorted content.
- the dbt project's source files (`DBT_SOURCE_PATHS`): a digest of each file's path and bytes
  (content, not modification time), and likewise the repository code that dbt Python models
  import (`PYTHON_MODEL_PATHS`, beside the project folder): a retrained linkage model must rebuild.
"""
from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

# Everything dbt parses in the project folder (also what makes the manifest stale).
DBT_SOURCE_PATHS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
# Outside the dbt project, relative to its parent: code and model files dbt Python models import.
PYTHON_MODEL_PATHS = ("pipelines/linkage",)
PUBLISHED_BUILDS_TABLE = "ops.published_builds"
ABSENT = "absent"


def dbt_source_files(project_dir: Path) -> list[Path]:
    """Every file dbt parses, in a stable order."""
    files: list[Path] = []
    for name in DBT_SOURCE_PATHS:
        path = project_dir / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(f for f in path.rglob("*") if f.is_file()))
    return files


def python_model_files(project_dir: Path) -> list[Path]:
    """What dbt Python models import from the repository (caches aside), in a stable order."""
    roots = [project_dir.parent / name for name in PYTHON_MODEL_PATHS]
    return [f for root in roots if root.is_dir() for f in sorted(root.rglob("*"))
            if f.is_file() and "__pycache__" not in f.parts]


def dbt_project_digest(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in dbt_source_files(project_dir) + python_model_files(project_dir):
        digest.update(f"{path.relative_to(project_dir.parent).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, table]).fetchall()[0][0])


def registry_state(con: duckdb.DuckDBPyConnection) -> tuple[int, int | None, str]:
    """(files, highest file_id, digest of the sorted (file_id, status) pairs) of ops.file_registry."""
    if not _table_exists(con, "ops.file_registry"):
        return 0, None, ABSENT
    files, highest, digest = con.execute("""
        select count(*), max(file_id),
               md5(coalesce(string_agg(file_id::varchar || '=' || coalesce(status, ''), ';' order by file_id), ''))
        from ops.file_registry""").fetchall()[0]
    return files, highest, digest


def bank_holidays_digest(con: duckdb.DuckDBPyConnection) -> str:
    if not _table_exists(con, "reference.bank_holidays"):
        return ABSENT
    return con.execute("""
        select md5(count(*)::varchar || ':' || coalesce(string_agg(
                   holiday_date::varchar || '=' || coalesce(holiday_name, ''), ';'
                   order by holiday_date, holiday_name), ''))
        from reference.bank_holidays""").fetchall()[0][0]


@dataclass(frozen=True)
class TransformInputs:
    registry_files: int
    registry_max_file_id: int | None
    registry_digest: str
    bank_holidays_digest: str
    dbt_project_digest: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("|".join(map(str, astuple(self))).encode()).hexdigest()


def read_transform_inputs(con: duckdb.DuckDBPyConnection, dbt_project_dir: Path) -> TransformInputs:
    files, highest, registry = registry_state(con)
    return TransformInputs(files, highest, registry, bank_holidays_digest(con), dbt_project_digest(dbt_project_dir))


@dataclass(frozen=True)
class PublishedBuild:
    build_id: str
    published_at: datetime
    fingerprint: str


def record_published_build(con: duckdb.DuckDBPyConnection, build_id: str, inputs: TransformInputs,
                           published_at: datetime | None = None) -> None:
    """After a successful publish: what it was built from."""
    con.execute("create schema if not exists ops")
    con.execute(f"""
        create table if not exists {PUBLISHED_BUILDS_TABLE} (
            build_id varchar primary key,
            published_at timestamptz not null,
            inputs_fingerprint varchar not null,
            registry_files bigint,
            registry_max_file_id bigint
        )""")
    # Added later (data_test_scope.py reads them); a warehouse published before has them null.
    for column in ("bank_holidays_digest", "dbt_project_digest"):
        con.execute(f"alter table {PUBLISHED_BUILDS_TABLE} add column if not exists {column} varchar")
    con.execute(f"insert into {PUBLISHED_BUILDS_TABLE} by name select ? as build_id, ? as published_at, "
                "? as inputs_fingerprint, ? as registry_files, ? as registry_max_file_id, "
                "? as bank_holidays_digest, ? as dbt_project_digest",
                [build_id, published_at or datetime.now(timezone.utc), inputs.fingerprint,
                 inputs.registry_files, inputs.registry_max_file_id, inputs.bank_holidays_digest,
                 inputs.dbt_project_digest])


def last_published_build(con: duckdb.DuckDBPyConnection) -> PublishedBuild | None:
    row = _last_published_row(con, "build_id, published_at, inputs_fingerprint")
    return PublishedBuild(*row) if row else None


@dataclass(frozen=True)
class PublishedInputs:
    """The parts of what the last published build was built from that later builds compare with;
    a digest is None for a build published before digests were recorded."""
    registry_max_file_id: int | None
    bank_holidays_digest: str | None
    dbt_project_digest: str | None


def last_published_inputs(con: duckdb.DuckDBPyConnection) -> PublishedInputs | None:
    recorded = {name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'ops' and table_name = ?",
        [PUBLISHED_BUILDS_TABLE.split(".")[1]]).fetchall()}
    row = _last_published_row(con, ", ".join(
        field if field in recorded else f"null as {field}" for field in PublishedInputs.__dataclass_fields__))
    return PublishedInputs(*row) if row else None


def _last_published_row(con: duckdb.DuckDBPyConnection, columns: str) -> tuple | None:
    if not _table_exists(con, PUBLISHED_BUILDS_TABLE):
        return None
    rows = con.execute(f"select {columns} from {PUBLISHED_BUILDS_TABLE} "
                       "order by published_at desc, build_id desc limit 1").fetchall()
    return rows[0] if rows else None


def unchanged_since_last_publish(con: duckdb.DuckDBPyConnection, inputs: TransformInputs) -> PublishedBuild | None:
    """The last published build, when what dbt reads now (`inputs`) is what it was built from; else None."""
    last = last_published_build(con)
    if last is None or last.fingerprint != inputs.fingerprint:
        return None
    return last
