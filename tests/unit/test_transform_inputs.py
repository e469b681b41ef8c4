"""The fingerprint of what the dbt build reads: it changes exactly when dbt has something new to do."""
import os
import time
from datetime import datetime, timezone

import duckdb
import polars as pl
import pytest

from pipelines.calendar import bank_holidays, store_bank_holidays
from pipelines.transform_inputs import (
    last_published_build,
    read_transform_inputs,
    record_published_build,
    unchanged_since_last_publish,
)


@pytest.fixture
def project(tmp_path):
    """A minimal dbt project folder."""
    root = tmp_path / "dbt_project"
    (root / "models" / "marts").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: p\n")
    (root / "models" / "marts" / "m.sql").write_text("select 1 as x\n")
    (root / "target").mkdir()
    return root


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema ops")
    # file_id and status are all the fingerprint reads; the other columns may change freely.
    con.execute("create table ops.file_registry (file_id integer, feed varchar, status varchar, "
                "processed_at timestamp, warnings varchar)")
    con.execute("insert into ops.file_registry values (1, 'police_crimes', 'loaded', now(), null), "
                "(2, 'police_crimes', 'rejected', now(), null)")
    store_bank_holidays(con, bank_holidays(range(2024, 2027)))
    yield con
    con.close()


def fingerprint(con, project):
    return read_transform_inputs(con, project).fingerprint


def test_the_fingerprint_is_stable_when_nothing_changes(con, project):
    first = fingerprint(con, project)
    con.execute("update ops.file_registry set processed_at = now() + interval 1 hour, warnings = 'w'")
    assert store_bank_holidays(con, bank_holidays(range(2024, 2027))) is False
    later = time.time() + 60
    os.utime(project / "models" / "marts" / "m.sql", (later, later))  # touched, same content
    (project / "target" / "manifest.json").write_text("{}")            # dbt's output, not its input
    assert fingerprint(con, project) == first


def test_registering_a_file_changes_the_fingerprint(con, project):
    before = fingerprint(con, project)
    con.execute("insert into ops.file_registry values (3, 'police_crimes', 'duplicate', now(), null)")
    assert fingerprint(con, project) != before


def test_a_change_of_status_changes_the_fingerprint(con, project):
    before = fingerprint(con, project)
    con.execute("update ops.file_registry set status = 'superseded' where file_id = 1")
    assert fingerprint(con, project) != before


def test_the_registry_part_does_not_depend_on_row_order(con, project):
    other = duckdb.connect()
    other.execute("create schema ops")
    other.execute("create table ops.file_registry (file_id integer, status varchar)")
    other.execute("insert into ops.file_registry values (2, 'rejected'), (1, 'loaded')")
    assert read_transform_inputs(other, project).registry_digest == read_transform_inputs(con, project).registry_digest


def test_a_changed_bank_holiday_changes_the_fingerprint_and_rewrites_the_table(con, project):
    before = fingerprint(con, project)
    calendar = bank_holidays(range(2024, 2027))
    first = pl.col("holiday_date") == calendar["holiday_date"].min()
    moved = calendar.with_columns(pl.when(first).then(pl.col("holiday_date") + pl.duration(days=1))
                                  .otherwise(pl.col("holiday_date")).alias("holiday_date"))
    renamed = calendar.with_columns(pl.when(first).then(pl.lit("New Year")).otherwise(pl.col("holiday_name"))
                                    .alias("holiday_name"))
    fingerprints = {before}
    for changed in (moved, renamed):
        assert store_bank_holidays(con, changed) is True
        fingerprints.add(fingerprint(con, project))
    assert len(fingerprints) == 3
    assert store_bank_holidays(con, calendar) is True
    assert fingerprint(con, project) == before


def test_a_model_whose_content_changes_changes_the_fingerprint(con, project):
    before = fingerprint(con, project)
    model = project / "models" / "marts" / "m.sql"
    model.write_text("select 2 as x\n")
    assert fingerprint(con, project) != before
    model.write_text("select 1 as x\n")
    assert fingerprint(con, project) == before
    (project / "models" / "marts" / "new.sql").write_text("select 1 as x\n")
    assert fingerprint(con, project) != before


def test_an_empty_warehouse_has_a_fingerprint_and_no_published_build(project):
    con = duckdb.connect()
    inputs = read_transform_inputs(con, project)
    assert inputs.registry_files == 0 and inputs.registry_max_file_id is None
    assert last_published_build(con) is None
    assert unchanged_since_last_publish(con, inputs) is None


def test_the_last_published_build_is_unchanged_until_an_input_changes(con, project):
    assert unchanged_since_last_publish(con, read_transform_inputs(con, project)) is None
    record_published_build(con, "20250101T000000000000Z", read_transform_inputs(con, project),
                           datetime(2025, 1, 1, tzinfo=timezone.utc))
    con.execute("insert into ops.file_registry values (3, 'police_crimes', 'loaded', now(), null)")
    record_published_build(con, "20250102T000000000000Z", read_transform_inputs(con, project),
                           datetime(2025, 1, 2, tzinfo=timezone.utc))
    last = unchanged_since_last_publish(con, read_transform_inputs(con, project))
    assert last is not None and last.build_id == "20250102T000000000000Z"
    con.execute("update ops.file_registry set status = 'superseded' where file_id = 1")
    assert unchanged_since_last_publish(con, read_transform_inputs(con, project)) is None


def test_a_retrained_linkage_model_changes_the_fingerprint_and_caches_do_not(con, project):
    linkage = project.parent / "pipelines" / "linkage"
    (linkage / "model").mkdir(parents=True)
    (linkage / "model" / "victim_linkage_v1.json").write_text('{"m": 0.9}\n')
    before = fingerprint(con, project)
    (linkage / "__pycache__").mkdir()
    (linkage / "__pycache__" / "probabilistic.cpython-311.pyc").write_bytes(b"\0")
    assert fingerprint(con, project) == before
    (linkage / "model" / "victim_linkage_v1.json").write_text('{"m": 0.8}\n')
    assert fingerprint(con, project) != before
