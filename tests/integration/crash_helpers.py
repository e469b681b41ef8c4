"""`mopac build` run as a real process against an isolated world, optionally killed with SIGKILL at a
named point, and the states a crash must leave as they were (or end in as an uninterrupted build).

The kill points are exact, not timed: the killed build runs under a small wrapper script (written
into the world's folder, not the project) that imports the `mopac` command, wraps one named
function and sends its own process SIGKILL when the build reaches it. Production code knows nothing
of it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.publish import BUILD_FILE, PARQUET_POINTER, PARQUET_VERSIONS_DIR, PUBLISHED_DB_NAME
from pipelines.settings import PROJECT_ROOT

MOPAC = Path(sys.executable).parent / "mopac"
KILLED_MARK = "[crash test] SIGKILL at"
BUILD_TIMEOUT_S = 600

# Each kill point: where, in the build, the wrapper sends itself SIGKILL.
WRAPPER = textwrap.dedent('''
    """Test-only: run `mopac build`, SIGKILL-ed at one named point (argv[1])."""
    import os
    import signal
    import sys
    from pathlib import Path

    POINT = sys.argv[1]
    PUBLISHED = Path(os.environ["MOPAC_WAREHOUSE_DIR"]).resolve() / "published"


    def die(where, children=()):
        for pid in children:  # e.g. dbt: killed first, so that it cannot outlive the build
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        # the real stdout: while dbt runs, the build sends sys.stdout to its log
        print(f"{KILLED_MARK} {POINT}: {where}", file=sys.__stdout__, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


    def kill_on_call(module, name, call, when, counts=lambda result: True):
        """SIGKILL before or after the call-th call; after, only calls whose result `counts` count."""
        real = getattr(module, name)
        calls = 0

        def wrapped(*args, **kwargs):
            nonlocal calls
            if when == "before":
                calls += 1
                if calls == call:
                    die(f"before call {call} of {module.__name__}.{name}")
            result = real(*args, **kwargs)
            if when == "after" and counts(result):
                calls += 1
                if calls == call:
                    die(f"after call {call} of {module.__name__}.{name}")
            return result

        setattr(module, name, wrapped)


    class OsInPublish:
        """`os` as pipelines.publish sees it, with os.replace stopped before one target."""

        def __init__(self, target):
            self.target = target

        def __getattr__(self, name):
            return getattr(os, name)

        def replace(self, source, target):
            if Path(target) == self.target:
                die(f"before os.replace(..., {Path(target).name})")
            os.replace(source, target)


    if POINT == "ingest_mid_file":  # the second file's rows are in raw.<feed>, its transaction open
        import pipelines.ingest.pipeline as pipeline
        kill_on_call(pipeline, "load_rows", 2, "after")
    elif POINT == "ingest_between_files":  # the first new file committed, the second not started
        import pipelines.ingest.pipeline as pipeline
        # a file copied over itself (as copy_world leaves the earlier deliveries) is not ingested: None
        kill_on_call(pipeline, "_ingest_file", 1, "after", counts=lambda result: result is not None)
    elif POINT in ("dbt_mid_build", "dbt_orphaned"):
        # Once dbt has built a marts model (others not yet): SIGKILL dbt, then the build
        # (dbt_mid_build); or the build only (dbt_orphaned: what becomes of dbt is the kernel's).
        from dagster_dbt import DbtCliInvocation
        real_stream = DbtCliInvocation.stream

        def stream(self, *args, **kwargs):
            for event in real_stream(self, *args, **kwargs):
                yield event
                built = getattr(event, "output_name", "")  # the asset key as an identifier
                if built.startswith("marts__"):
                    with open(os.environ["CRASH_TEST_DBT_PID_FILE"], "w") as handle:
                        handle.write(str(self.process.pid))
                    die(f"after dbt built {built}",
                        children=[self.process.pid] if POINT == "dbt_mid_build" else [])

        DbtCliInvocation.stream = stream
    elif POINT == "publish_staging_written":  # every table in the staging copy (still open), no BUILD.json
        import pipelines.publish as publish
        kill_on_call(publish, "_bring_staging_up_to_date", 1, "after")
    elif POINT == "publish_before_database_swap":  # staging complete and closed, BUILD.json written
        import pipelines.publish as publish
        publish.os = OsInPublish(PUBLISHED / "mopac_marts.duckdb")
    elif POINT == "publish_between_swaps":  # the database swapped in, the Parquet pointer not
        import pipelines.publish as publish
        publish.os = OsInPublish(PUBLISHED / "parquet")
    elif POINT == "publish_before_record":  # both swapped in, ops.published_builds not yet written
        import pipelines.defs.publish as publish_asset
        kill_on_call(publish_asset, "record_published_build", 1, "before")
    else:
        raise SystemExit(f"unknown kill point {POINT}")

    from pipelines.cli import main
    main(["build"], prog_name="mopac")
''').replace("{KILLED_MARK}", KILLED_MARK)

KILL_POINTS = ("ingest_mid_file", "ingest_between_files", "dbt_mid_build", "dbt_orphaned", "publish_staging_written",
               "publish_before_database_swap", "publish_between_swaps", "publish_before_record")


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str
    seconds: float


def build_log(run: Run) -> str:
    """The whole log of a build (its warnings, such as what recovery did, are not on the console)."""
    [path] = [line.removeprefix("Log: ") for line in run.output.splitlines() if line.startswith("Log: ")]
    return Path(path).read_text()


def environment(world: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOPAC_", "DAGSTER_"))}
    env.update({"MOPAC_LANDING_DIR": str(world / "landing"), "MOPAC_WAREHOUSE_DIR": str(world / "warehouse"),
                "MOPAC_DAGSTER_DIR": str(world / "dagster"), "MOPAC_PSEUDONYM_KEY": "test-key-not-secret",
                "DAGSTER_HOME": str(PROJECT_ROOT), "CRASH_TEST_DBT_PID_FILE": str(world / "dbt.pid")})
    return env


def run_build(world: Path, kill_at: str | None = None) -> Run:
    """`mopac build` in its own process; with kill_at, under the wrapper that SIGKILLs it there."""
    if kill_at is None:
        command = [str(MOPAC), "build"]
    else:
        wrapper = world / "killed_build.py"
        wrapper.write_text(WRAPPER)
        command = [sys.executable, str(wrapper), kill_at]
    started = time.monotonic()
    done = subprocess.run(command, cwd=world, env=environment(world), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=BUILD_TIMEOUT_S)
    return Run(done.returncode, done.stdout, time.monotonic() - started)


def copy_world(source: Path, target: Path) -> Path:
    """A copy of a built world that the next build treats as the original: the published database's
    copy is a new inode, so its BUILD.json record is brought up to date (else the next publish would
    rightly distrust it and write every table)."""
    shutil.copytree(source, target, symlinks=True)
    published = target / "warehouse" / "published"
    if (published / PUBLISHED_DB_NAME).exists():
        record_path = (published / PARQUET_POINTER).resolve() / BUILD_FILE
        record = json.loads(record_path.read_text())
        stat = (published / PUBLISHED_DB_NAME).stat()
        record["database_file"] = {"inode": stat.st_ino, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        record_path.write_text(json.dumps(record, indent=2))
    return target


# --- What a crash must leave as it was, or what the next build must end in -------------------------

def _rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def comparable_rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    """Every row of a table, in a stable order, without its timestamp columns (when a build ran:
    e.g. data_quality.received_at), which no two builds share."""
    columns = [name for name, kind, *_ in _rows(con, f"describe select * from {relation}")
               if not kind.startswith("TIMESTAMP")]
    return _rows(con, f"select {', '.join(quote(c) for c in columns)} from {relation} order by all")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def marts_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every table of schema marts of the connected database, all rows in a stable order."""
    tables = [t for (t,) in _rows(con, "select table_name from information_schema.tables where "
                                       "table_catalog = current_database() and table_schema = 'marts' order by 1")]
    return {t: comparable_rows(con, f"marts.{quote(t)}") for t in tables}


def warehouse_state(db: Path) -> dict:
    """What a build of a world ends in, build times and ids aside: the registry, the raw rows (and
    their count per file), the quarantine, and every marts table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "registry": _rows(con, """
                select file_id, feed, file_name, period_key, version, status, rows_received, rows_loaded,
                       rows_quarantined, fields_nulled, reason, warnings, superseded_by
                from ops.file_registry order by file_id"""),
            "raw_rows_per_file": _rows(con, """
                select r.file_name, count(raw._file_id) from ops.file_registry r
                left join raw.police_crimes raw on raw._file_id = r.file_id group by 1 order by 1"""),
            "raw": _rows(con, "select * exclude (_loaded_at) from raw.police_crimes order by all"),
            "quarantine": _rows(con, "select * exclude (quarantined_at) from ops.quarantine order by all"),
            "marts": marts_tables(con),
        }
    finally:
        con.close()


def registry_statuses(db: Path) -> dict[str, str]:
    """{file name: status} of every registered file, and no file id in raw without a registry row."""
    con = duckdb.connect(str(db), read_only=True)  # replays what the killed build committed
    try:
        assert not _rows(con, "select distinct _file_id from raw.police_crimes where _file_id not in "
                              "(select file_id from ops.file_registry)")
        return dict(_rows(con, "select file_name, status from ops.file_registry"))
    finally:
        con.close()


def published_files(published: Path) -> dict:
    """The published copy as files: which build the pointer shows, and every byte of both copies."""
    parquet = (published / PARQUET_POINTER).resolve()
    return {"pointer": parquet.name,
            "build_id": json.loads((parquet / BUILD_FILE).read_text())["build_id"],
            "database": _sha256(published / PUBLISHED_DB_NAME),
            "parquet": {p.name: _sha256(p) for p in sorted(parquet.iterdir())}}


def published_database_tables(published: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(published / PUBLISHED_DB_NAME), read_only=True)  # it must open
    try:
        return marts_tables(con)
    finally:
        con.close()


def published_parquet_tables(published: Path) -> dict[str, list[tuple]]:
    parquet = (published / PARQUET_POINTER).resolve()
    con = duckdb.connect()
    try:
        return {p.stem: comparable_rows(con, "read_parquet('" + str(p).replace("'", "''") + "')")
                for p in sorted(parquet.glob("*.parquet"))}
    finally:
        con.close()


def published_build_id(published: Path) -> str:
    return json.loads(((published / PARQUET_POINTER).resolve() / BUILD_FILE).read_text())["build_id"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stray_files(warehouse: Path) -> list[str]:
    """Anything in the published folder beyond the two copies and the versions kept for readers
    (the current one and the one before), and any DuckDB WAL left beside a closed database."""
    published = warehouse / "published"
    expected = {PUBLISHED_DB_NAME, PARQUET_POINTER, PARQUET_VERSIONS_DIR}
    stray = [p.name for p in published.iterdir() if p.name not in expected]
    versions = sorted(p.name for p in (published / PARQUET_VERSIONS_DIR).iterdir())
    current = (published / PARQUET_POINTER).resolve().name
    kept = [v for v in versions if v <= current][-2:]
    stray += [f"{PARQUET_VERSIONS_DIR}/{v}" for v in versions if v not in kept]
    stray += [f"{PARQUET_VERSIONS_DIR}/{v} (no {BUILD_FILE})" for v in kept
              if not (published / PARQUET_VERSIONS_DIR / v / BUILD_FILE).is_file()]
    stray += [str(p.relative_to(warehouse)) for p in warehouse.rglob("*.wal")]
    return sorted(stray)


def write_lock_is_free(warehouse: Path) -> bool:
    with open(warehouse / ".write.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def process_is_running(pid: int) -> bool:
    """Alive and not a zombie (killed, not yet reaped by whoever inherited it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def wait_until_gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while process_is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not process_is_running(pid)


def dbt_finished(world: Path, pid: int) -> bool:
    """Whether the dbt process `pid` got to the end of its run (its log lines in the world's dbt.log)."""
    for line in (world / "warehouse" / "dbt" / "dbt.log").read_text().splitlines():
        event = json.loads(line)["info"]
        if event["pid"] == pid and event["name"] == "FinishedRunningStats":
            return True
    return False


def dagster_runs(world: Path) -> list[tuple[str, str]]:
    """(run id, status) of every run in the world's Dagster instance, oldest first."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(world / "dagster"))) as instance:
        return [(run.run_id, run.status.value) for run in reversed(instance.get_runs())]
