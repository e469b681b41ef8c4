"""Which rows a build's data tests check: the keys delivered since the last published build, unless
what the models compute may have changed for old rows too."""
from datetime import datetime, timezone

import duckdb
import pytest

from pipelines.data_test_scope import EVERY_ROW, data_test_scope, record_data_test_scope
from pipelines.transform_inputs import PublishedInputs, TransformInputs, last_published_inputs, record_published_build

NOW = TransformInputs(registry_files=12, registry_max_file_id=40, registry_digest="r2",
                      bank_holidays_digest="holidays", dbt_project_digest="project")
LAST = PublishedInputs(registry_max_file_id=31, bank_holidays_digest="holidays", dbt_project_digest="project")


def test_an_ordinary_build_tests_the_keys_delivered_after_the_last_published_build():
    scope = data_test_scope(LAST, NOW, full_refresh=False)
    assert scope.since_file_id == 31 and not scope.every_row


@pytest.mark.parametrize("last, full_refresh", [
    (LAST, True),
    (None, False),
    (PublishedInputs(None, "holidays", "project"), False),
    (PublishedInputs(31, "holidays", "another project"), False),
    (PublishedInputs(31, "other holidays", "project"), False),
    (PublishedInputs(31, None, None), False),  # published before the digests were recorded
], ids=["full refresh", "never published", "published from an empty registry", "project changed",
        "holidays changed", "digests not recorded"])
def test_every_row_is_tested_when_old_rows_may_have_changed_too(last, full_refresh):
    scope = data_test_scope(last, NOW, full_refresh=full_refresh)
    assert scope.since_file_id == EVERY_ROW and scope.every_row


def test_the_last_published_inputs_are_read_back_also_from_a_table_without_digests():
    con = duckdb.connect()
    assert last_published_inputs(con) is None
    con.execute("create schema ops")
    con.execute("create table ops.published_builds (build_id varchar primary key, published_at timestamptz "
                "not null, inputs_fingerprint varchar not null, registry_files bigint, registry_max_file_id bigint)")
    con.execute("insert into ops.published_builds values ('b1', '2025-01-01 00:00:00+00', 'f', 3, 7)")
    assert last_published_inputs(con) == PublishedInputs(7, None, None)
    record_published_build(con, "b2", NOW, datetime(2025, 2, 1, tzinfo=timezone.utc))
    assert last_published_inputs(con) == PublishedInputs(40, "holidays", "project")


def test_the_scope_is_left_as_one_row_for_the_dbt_macro():
    con = duckdb.connect()
    for scope in (data_test_scope(None, NOW, full_refresh=False), data_test_scope(LAST, NOW, full_refresh=False)):
        record_data_test_scope(con, scope)
    assert con.execute("select since_file_id, reason from ops.data_test_scope").fetchall() == [
        (31, data_test_scope(LAST, NOW, full_refresh=False).reason)]
