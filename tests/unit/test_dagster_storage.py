"""The project's Dagster storage: Dagster's SQLite files, written through connections kept open."""
import os
import threading
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import _event_logs_directory

from pipelines.lib.dagster_storage import OPEN_DATABASES, KeptConnectionsEventLogStorage
from pipelines.settings import PROJECT_ROOT

SQLITE_SYNCHRONOUS_NORMAL = 1


@pytest.fixture
def project_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_DAGSTER_DIR", str(tmp_path))
    with dg.DagsterInstance.from_config(str(PROJECT_ROOT)) as instance:
        yield instance


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


def test_the_project_instance_keeps_its_event_log_connections_open(project_instance):
    storage = project_instance.event_log_storage
    assert isinstance(storage, KeptConnectionsEventLogStorage)
    result = dg.materialize([counted], instance=project_instance)
    assert result.success
    # the run's own database and the index of asset events, each opened once for all of its events
    assert sorted(shard for _, shard in storage._engines) == sorted([result.run_id, "index"])
    with storage.run_connection(result.run_id) as conn:
        assert conn.exec_driver_sql("pragma synchronous").scalar() == SQLITE_SYNCHRONOUS_NORMAL


def test_dagsters_own_sqlite_storage_reads_what_it_wrote(project_instance, tmp_path):
    run_id = dg.materialize([counted], instance=project_instance).run_id
    project_instance.event_log_storage.dispose()
    plain = SqliteEventLogStorage(_event_logs_directory(str(tmp_path)))
    events = [record.event_log_entry for record in plain.get_records_for_run(run_id).records]
    materialized = [e for e in events if e.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION]
    assert [e.asset_materialization.metadata["rows"].value for e in materialized] == [3]
    latest = plain.get_latest_materialization_events([dg.AssetKey("counted")])[dg.AssetKey("counted")]
    assert latest.run_id == run_id


def test_only_the_last_used_databases_stay_open_and_every_thread_can_write(tmp_path):
    storage = KeptConnectionsEventLogStorage(str(tmp_path))
    for run in range(OPEN_DATABASES + 3):
        with storage.run_connection(f"run-{run}") as conn:
            conn.exec_driver_sql("select 1")
    assert [shard for _, shard in storage._engines] == [f"run-{run}" for run in range(3, OPEN_DATABASES + 3)]
    assert _open_databases(tmp_path) == {f"run-{run}.db" for run in range(3, OPEN_DATABASES + 3)}

    def write_from_another_thread():
        with storage.run_connection("run-3") as conn:
            conn.exec_driver_sql("create table written_by_thread (x integer)")
    thread = threading.Thread(target=write_from_another_thread)
    thread.start()
    thread.join()
    with storage.run_connection("run-3") as conn:
        assert conn.exec_driver_sql("select count(*) from written_by_thread").scalar() == 0
    storage.dispose()
    assert _open_databases(tmp_path) == set()


def _open_databases(folder: Path) -> set[str]:
    """The SQLite database files in `folder` this process holds open."""
    held = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            held.add(Path(os.readlink(f"/proc/self/fd/{fd}")))
        except OSError:
            continue
    return {path.name for path in held if path.parent == folder and path.suffix == ".db"}
