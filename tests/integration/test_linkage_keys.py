"""Linkage one build at a time. A three-month world arrives in two builds: the first month's first
deliveries, then its _v2 re-deliveries with the later months, so the second build replaces police
victims already linked against. New months link against the people already known and renumber no
one, and what the incremental build leaves in every incrementally built table (linkage, the victim
journey, snapshot history) is exactly what a full refresh works out from everything."""
import re
from dataclasses import dataclass

import pytest

from pipelines.benchmark import copy_files, files_by_month
from pipelines.build import run_build
from pipelines.settings import load_settings
from tests.integration.build_helpers import build, isolated_environment, query

KEYS = "select record_id, victim_key from intermediate.int_linkage__victim_keys"
DATA_TESTS_SINCE = "select since_file_id from ops.data_test_scope"
TABLES_AND_VIEWS_IN_MAIN = "select table_name from information_schema.tables where table_schema = 'main'"

# Every table a build brings up to date instead of rewriting, each row as it would be worked out from
# scratch (as_of_file_id only says up to which delivery a table was brought, and is the same in both).
INCREMENTAL_TABLES = {
    "records": "select * from intermediate.int_linkage__records",
    "reference_decisions": "select * from intermediate.int_linkage__reference_decisions",
    "reference_links": "select * from intermediate.int_linkage__reference_links",
    "probabilistic_links": "select * from intermediate.int_linkage__probabilistic_links",
    "victim_keys": "select * from intermediate.int_linkage__victim_keys",
    "victim_crime_police": "select * from intermediate.int_victim_crime__police",
    "crime_boroughs": "select * from intermediate.int_crime_boroughs",
    "current_outcomes": "select * from intermediate.int_police_outcomes__current",
    "fct_victim_crime": "select * from marts.fct_victim_crime",
    "rj_cases_history": "select * from intermediate.int_rj_cases__history",
    "probation_vcs_history": "select * from intermediate.int_probation_vcs__history",
}


@dataclass
class Builds:
    keys_after: list[dict[str, str]]
    incremental: dict[str, set]
    full_refresh: dict[str, set]
    newest_file_after: list[int]
    data_tests_since: list[int]  # of each build, the full refresh last
    leftovers_after: list[list]


def _tables(db) -> dict[str, set]:
    return {name: set(query(db, sql)) for name, sql in INCREMENTAL_TABLES.items()}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    from pipelines.synthetic import generate

    source = tmp_path_factory.mktemp("generated")
    generate(source / "landing", source / "ground_truth", start="2025-01", months=3, scale=0.02, seed=5)
    root = tmp_path_factory.mktemp("incremental")
    db = root / "warehouse" / "mopac.duckdb"
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolated_environment(monkeypatch, root)
        first, *later = files_by_month(source / "ground_truth").values()
        keys_after, newest_file_after, data_tests_since, leftovers_after = [], [], [], []
        for names in ([name for name in first if "_v2" not in name],
                      [name for name in first if "_v2" in name] + [name for names in later for name in names]):
            copy_files(source / "landing", names, root / "landing")
            build()
            keys_after.append(dict(query(db, KEYS)))
            newest_file_after.append(query(db, "select max(file_id) from ops.file_registry")[0][0])
            data_tests_since.append(query(db, DATA_TESTS_SINCE)[0][0])
            leftovers_after.append(query(db, TABLES_AND_VIEWS_IN_MAIN))
        incremental = _tables(db)

        outcome = run_build(load_settings(), full_refresh=True, log=lambda line: None)
        assert outcome.succeeded, (outcome.failed_steps, outcome.failed_checks)
        data_tests_since.append(query(db, DATA_TESTS_SINCE)[0][0])
        return Builds(keys_after, incremental, _tables(db), newest_file_after, data_tests_since, leftovers_after)


def _police_keys(keys: dict[str, str]) -> set[str]:
    return {key for record, key in keys.items() if record.startswith("police_crimes:")}


def test_a_new_month_keeps_every_existing_victim_key(builds):
    """A key only ever gives way to a police victim's: a record known to no police victim yet has a
    key of its own until the victim it names arrives (then it joins theirs). Nobody else moves."""
    before, after = builds.keys_after[-2], builds.keys_after[-1]
    kept = {record: key for record, key in before.items() if record in after}
    assert len(kept) > 0.9 * len(before)
    moved = {record: (key, after[record]) for record, key in kept.items() if after[record] != key}
    assert len(moved) < 0.01 * len(kept)
    assert all(old not in _police_keys(before) and new in _police_keys(after) for old, new in moved.values()), moved
    new_records = set(after) - set(before)
    assert any(after[record] in set(before.values()) for record in new_records if not record.startswith("police_crimes:"))


def test_every_victim_key_is_as_long_as_a_token(builds):
    """A police victim's key is the token of its victim reference (128 bits, 32 hexadecimal
    characters); a key derived from a record of another feed is cut to the same length."""
    keys = builds.keys_after[-1]
    assert _police_keys(keys) and set(keys.values()) - _police_keys(keys)
    assert all(re.fullmatch("[0-9a-f]{32}", key) for key in keys.values())


def test_the_re_deliveries_withdrew_records_already_linked(builds):
    """The world really exercises replacement: some records of the first build are gone by the last."""
    assert set(builds.keys_after[0]) - set(builds.keys_after[-1])


@pytest.mark.parametrize("table", INCREMENTAL_TABLES)
def test_incremental_builds_leave_what_a_full_refresh_works_out(builds, table):
    incremental, full = builds.incremental[table], builds.full_refresh[table]
    assert incremental, f"{table} is empty"
    assert incremental - full == set() and full - incremental == set()


def test_each_build_tests_the_keys_delivered_since_the_last_published_one(builds):
    """pipelines/data_test_scope.py: the first build and the full refresh test every row."""
    assert builds.data_tests_since == [0, builds.newest_file_after[0], 0]


def test_python_models_leave_nothing_in_the_main_schema(builds):
    """Every model has a layer's schema. dbt-duckdb writes an incremental Python model's new rows to
    main.<model>__dbt_tmp<timestamp> and keeps it: the run's end drops it
    (macros/drop_python_model_leftovers.sql), or one more would stay for every build; the linkage
    models read their inputs through temporary views."""
    assert builds.leftovers_after == [[], []]
