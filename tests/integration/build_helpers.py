"""Run `mopac build`'s code path in process against an isolated landing/warehouse/Dagster folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.build import run_build
from pipelines.settings import load_settings


# The real public files (../shared/data/open), beside the checkout; never edited.
OPEN_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "open"


def land_open_data(landing: Path, police_uk: list[str], mps_downloads: dict[str, str]) -> None:
    """Copy real public files into the landing folder as their contracts name them: data.police.uk
    files keep their published names; a London Datastore file (`mps_downloads`: file -> download
    date YYYY-MM-DD) is renamed with the date it was downloaded, which the published copy lacks."""
    (landing / "police_uk").mkdir(parents=True, exist_ok=True)
    (landing / "mps_recorded_crime").mkdir(parents=True, exist_ok=True)
    for name in police_uk:
        shutil.copyfile(OPEN_DATA / "police_uk" / name, landing / "police_uk" / name)
    for name, downloaded in mps_downloads.items():
        dated = f"{Path(name).stem}_{downloaded}.csv"
        shutil.copyfile(OPEN_DATA / "mps_recorded_crime" / name, landing / "mps_recorded_crime" / dated)


def isolated_environment(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setenv("MOPAC_LANDING_DIR", str(root / "landing"))
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(root / "warehouse"))
    monkeypatch.setenv("MOPAC_DAGSTER_DIR", str(root / "dagster"))
    monkeypatch.setenv("MOPAC_PSEUDONYM_KEY", "test-key-not-secret")


def build(messages: list[str] | None = None):
    outcome = run_build(load_settings(), log=(messages or []).append)
    assert outcome.succeeded, (outcome.failed_steps, outcome.failed_checks)
    return outcome


def last_run_events() -> list[tuple[str | None, str | None, str]]:
    """(step key, Dagster event type or None for a plain log line, message) of the latest run in the
    isolated Dagster instance, in order."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        return [(e.step_key, e.dagster_event_type.value if e.dagster_event_type else None, e.message)
                for e in instance.all_logs(run.run_id)]


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def canary_leaks(root: Path, canaries: list[str], messages: list[str], unsearched: set[str]) -> list[str]:
    """Where any canary (upper case) appears after a build: every file under root but the folders
    named in `unsearched` (landing, ground truth), every text column of the warehouse and of its
    published copy, and the build's messages."""
    leaks = []
    for path in [p for p in root.rglob("*") if p.is_file() and not unsearched & set(p.parts)]:
        data = path.read_bytes().upper()
        leaks += [f"{path.relative_to(root)}: {c}" for c in canaries if c.encode() in data]
    for db in [root / "warehouse" / "mopac.duckdb", root / "warehouse" / "published" / "mopac_marts.duckdb"]:
        con = duckdb.connect(str(db), read_only=True)
        for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR'").fetchall():
            # one pass over the column, a count per canary
            counts = con.execute(f'select {", ".join(f"""count(*) filter (where upper("{column}") like ?)""" for _ in canaries)} '
                                 f'from "{schema}"."{table}"', [f"%{c}%" for c in canaries]).fetchone()
            leaks += [f"{db.name} {schema}.{table}.{column}: {c}" for c, hits in zip(canaries, counts) if hits]
        con.close()
    return leaks + [f"log: {c}" for m in messages for c in canaries if c in m.upper()]


def snapshot(db: Path) -> dict[str, list]:
    """Everything a re-run must leave unchanged (timestamps aside)."""
    return {
        "registry": query(db, "select file_id, file_name, status, rows_received, rows_loaded, rows_quarantined, "
                              "fields_nulled, reason from ops.file_registry order by file_id"),
        "quarantine": query(db, "select file_id, row_number, column_name, check_name from ops.quarantine order by all"),
        "raw_rows": query(db, "select count(*) from raw.police_crimes"),
        "fct": query(db, "select * exclude (file_id) from marts.fct_victim_crime order by crime_ref, victim_key"),
        "metrics": query(db, "select * from marts.metric_values order by all"),
    }


# Real files delivered outside the synthetic months (police_uk 2024-01; the London Datastore file
# downloaded 2026-03-02, after its last month), so their DQ_* rows fall outside the truth's months.
OPEN_FILES = {"police_uk": ["2024-01-metropolitan-street.csv", "2024-01-metropolitan-outcomes.csv"],
              "mps_downloads": {"recorded-crime-borough.csv": "2026-03-02"}}


def land_resent_snapshots(root: Path) -> None:
    for resent in (root / "ground_truth" / "resent").glob("*/*"):
        shutil.copyfile(resent, root / "landing" / resent.parent.name / resent.name)  # new times, as a sender's copy


def build_world(tmp_path_factory: pytest.TempPathFactory, name: str, **world) -> Path:
    """A generated world (and a month of the real public files) built as an operator would see it
    arrive: the landing folder as generated, then the re-sent snapshots over their originals, built
    again (pipelines/synthetic/__init__.py, Re-deliveries)."""
    from pipelines.synthetic import generate

    root = tmp_path_factory.mktemp(name)
    generate(root / "landing", root / "ground_truth", **world)
    land_open_data(root / "landing", **OPEN_FILES)
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        build()
        land_resent_snapshots(root)
        build()
    return root
