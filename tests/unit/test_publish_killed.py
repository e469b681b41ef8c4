"""A publish killed with SIGKILL at each step: the published copy stays the previous build's (or,
killed between the two swaps, the new database beside the previous Parquet set, which the next
writer completes), and nothing it left accumulates. `publish` runs in a process of its own that
sends itself SIGKILL at the named step (the whole build is killed the same way in
tests/integration/test_crash_safety.py)."""
from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from pipelines.publish import PUBLISHED_DB_NAME, publish, recover_interrupted_publish
from pipelines.settings import PROJECT_ROOT

KILLED_PUBLISH = textwrap.dedent('''
    import os
    import signal
    import sys
    from pathlib import Path

    import pipelines.publish as publish

    step, warehouse, published = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])


    def die():
        os.kill(os.getpid(), signal.SIGKILL)


    class OsInPublish:
        """`os` as pipelines.publish sees it, with os.replace stopped before one target."""

        def __getattr__(self, name):
            return getattr(os, name)

        def replace(self, source, target):
            if Path(target).name == {"before_database_swap": "mopac_marts.duckdb",
                                     "between_swaps": "parquet"}.get(step):
                die()
            os.replace(source, target)


    if step == "staging_written":  # every table in the open staging copy, no BUILD.json yet
        real = publish._bring_staging_up_to_date

        def bring_up_to_date(*args):
            real(*args)
            die()

        publish._bring_staging_up_to_date = bring_up_to_date
    elif step == "before_pruning":  # both swaps made, older versions not yet pruned
        real_point = publish._point_parquet_at

        def point_parquet_at(*args):
            real_point(*args)
            die()

        publish._point_parquet_at = point_parquet_at
    publish.os = OsInPublish()
    publish.publish(warehouse, published)
''')


def set_marts(path, **tables):
    con = duckdb.connect(str(path))
    con.execute("drop schema if exists marts cascade; create schema marts")
    for name, select in tables.items():
        con.execute(f"create table marts.{name} as {select}")
    con.close()


def published_files(published):
    """Every file of the published copy (the database and the Parquet set the pointer shows), by content."""
    parquet = (published / "parquet").resolve()
    return {"database": hashlib.sha256((published / PUBLISHED_DB_NAME).read_bytes()).hexdigest(),
            "pointer": parquet.name,
            **{p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in parquet.iterdir()}}


def rows(published, table):
    con = duckdb.connect(str(published / PUBLISHED_DB_NAME), read_only=True)
    try:
        database = con.execute(f"select * from marts.{table} order by all").fetchall()
    finally:
        con.close()
    parquet = duckdb.connect().execute("select * from read_parquet(?) order by all",
                                       [str(published / "parquet" / f"{table}.parquet")]).fetchall()
    return database, parquet


def everything_in(published):
    return sorted(str(p.relative_to(published)) for p in published.rglob("*"))


def publish_killed_at(step, warehouse, published):
    script = warehouse.parent / "killed_publish.py"
    script.write_text(KILLED_PUBLISH)
    done = subprocess.run([sys.executable, str(script), step, str(warehouse), str(published)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.fixture
def two_builds(tmp_path):
    """A published first build (three tables); the warehouse since changed in two of them."""
    warehouse, published = tmp_path / "wh.duckdb", tmp_path / "published"
    set_marts(warehouse, dim="select 1 as id", fct="select 1 as value", metric="select 10 as value")
    first = publish(warehouse, published)
    set_marts(warehouse, dim="select 1 as id", fct="select 2 as value", metric="select 20 as value")
    return warehouse, published, first


@pytest.mark.parametrize("step", ["staging_written", "before_database_swap"])
def test_a_publish_killed_before_the_swaps_leaves_the_previous_copy_byte_for_byte(two_builds, step):
    warehouse, published, first = two_builds
    before, files_before = published_files(published), everything_in(published)
    publish_killed_at(step, warehouse, published)

    assert published_files(published) == before
    assert rows(published, "fct") == ([(1,)], [(1,)])
    assert len(everything_in(published)) > len(files_before)  # its staging database and version folder
    recovery = recover_interrupted_publish(published)
    assert recovery.finished_swap is None and recovery.removed
    assert everything_in(published) == files_before
    assert published_files(published) == before

    second = publish(warehouse, published)
    assert not second.full_publish and second.reused == ("dim",)
    assert rows(published, "fct") == ([(2,)], [(2,)]) and rows(published, "metric") == ([(20,)], [(20,)])


def test_leftovers_of_killed_publishes_do_not_accumulate(two_builds):
    warehouse, published, first = two_builds
    for _ in range(3):  # each publish starts by removing what the one killed before it left
        publish_killed_at("staging_written", warehouse, published)
    staging = {p.name.split(".")[3] for p in published.glob(".mopac_marts.duckdb.*")}  # database (and WAL)
    assert len(staging) == 1  # the last killed publish's only
    assert len(list((published / "parquet_versions").iterdir())) == 2  # the published one, the last one's
    second = publish(warehouse, published)
    third = publish(warehouse, published)
    assert sorted(p.name for p in published.iterdir()) == ["mopac_marts.duckdb", "parquet", "parquet_versions"]
    # the current version and the one before it, as after builds never interrupted
    assert sorted(p.name for p in (published / "parquet_versions").iterdir()) == [second.build_id, third.build_id]


def test_a_publish_killed_between_the_two_swaps_is_finished_by_the_next_writer(two_builds):
    warehouse, published, first = two_builds
    before = published_files(published)
    publish_killed_at("between_swaps", warehouse, published)

    # What readers see until then: the new database; the previous Parquet set (and its BUILD.json).
    after = published_files(published)
    assert after["database"] != before["database"]
    assert {k: v for k, v in after.items() if k != "database"} == {k: v for k, v in before.items() if k != "database"}
    assert rows(published, "fct") == ([(2,)], [(1,)])

    recovery = recover_interrupted_publish(published)
    assert recovery.finished_swap is not None and recovery.finished_swap != first.build_id
    assert "killed between its two swaps" in recovery.describe()
    assert rows(published, "fct") == ([(2,)], [(2,)]) and rows(published, "metric") == ([(20,)], [(20,)])
    assert json.loads((published / "parquet" / "BUILD.json").read_text())["build_id"] == recovery.finished_swap
    assert sorted(p.name for p in published.iterdir()) == ["mopac_marts.duckdb", "parquet", "parquet_versions"]

    # The finished build is a trusted starting point: nothing changed, nothing rewritten.
    again = publish(warehouse, published)
    assert not again.full_publish and again.written == ()


def test_a_publish_killed_between_the_swaps_of_the_very_first_build_is_finished_too(tmp_path):
    warehouse, published = tmp_path / "wh.duckdb", tmp_path / "published"
    set_marts(warehouse, fct="select 1 as value")
    publish_killed_at("between_swaps", warehouse, published)
    assert (published / PUBLISHED_DB_NAME).exists() and not (published / "parquet").exists()
    assert recover_interrupted_publish(published).finished_swap is not None
    assert rows(published, "fct") == ([(1,)], [(1,)])


def test_a_publish_killed_after_both_swaps_leaves_the_new_copy_whole(two_builds):
    warehouse, published, first = two_builds
    publish_killed_at("before_pruning", warehouse, published)
    assert rows(published, "fct") == ([(2,)], [(2,)])
    recovery = recover_interrupted_publish(published)
    assert recovery.finished_swap is None and recovery.removed == ()
    assert not publish(warehouse, published).full_publish


def test_a_database_swapped_in_by_someone_else_is_not_taken_for_an_interrupted_publish(two_builds):
    """A newer version folder whose BUILD.json does not describe the published database is removed,
    and the next publish, which cannot trust the database, writes every table."""
    warehouse, published, first = two_builds
    publish_killed_at("between_swaps", warehouse, published)
    with duckdb.connect(str(published / PUBLISHED_DB_NAME)) as con:  # modified outside publishing
        con.execute("create table marts.extra as select 1 as x")
    recovery = recover_interrupted_publish(published)
    assert recovery.finished_swap is None and any("parquet_versions/" in r for r in recovery.removed)
    assert (published / "parquet").resolve().name == first.build_id
    result = publish(warehouse, published)
    assert result.full_publish and "not the file its BUILD.json describes" in result.full_publish_reason
    assert rows(published, "fct") == ([(2,)], [(2,)])


def test_nothing_to_recover_in_a_missing_or_tidy_published_folder(tmp_path, two_builds):
    assert recover_interrupted_publish(tmp_path / "nowhere").describe() is None
    _, published, _ = two_builds
    assert recover_interrupted_publish(published).describe() is None
