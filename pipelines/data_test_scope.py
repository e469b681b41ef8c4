"""Which rows a build's data tests check on the tables that grow with history.

A table whose model declares `meta: {data_tests_scope_key: <key column>}` (and has a `file_id`
column) has its data tests run, on an ordinary build, over the rows of the keys that deliveries
since the last published build brought: those rows are the only ones the build could have made
wrong, and testing them costs the same on five years as on one. Every row is tested instead when
there is no such build to start from, on `--full-refresh`, and when what the models compute may
have changed for old rows too (a changed dbt project or linkage model, a changed bank-holiday
calendar). The dbt macro `get_where_subquery` (macros/data_test_scope.sql) applies the scope it
finds in `ops.data_test_scope`, which the dbt asset writes just before `dbt build`.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.transform_inputs import PublishedInputs, TransformInputs

DATA_TEST_SCOPE_TABLE = "ops.data_test_scope"
EVERY_ROW = 0  # file_ids start at 1: "keys delivered after file 0" is every key


@dataclass(frozen=True)
class DataTestScope:
    since_file_id: int  # test the keys with rows from files after this one; EVERY_ROW tests all
    reason: str

    @property
    def every_row(self) -> bool:
        return self.since_file_id == EVERY_ROW


def data_test_scope(last: PublishedInputs | None, now: TransformInputs, *, full_refresh: bool) -> DataTestScope:
    if full_refresh:
        return DataTestScope(EVERY_ROW, "a full refresh tests every row")
    if last is None or last.registry_max_file_id is None:
        return DataTestScope(EVERY_ROW, "no published build to start from: every row is tested")
    if last.dbt_project_digest != now.dbt_project_digest:
        return DataTestScope(EVERY_ROW, "the dbt project or linkage model changed since the last published "
                                        "build: every row is tested")
    if last.bank_holidays_digest != now.bank_holidays_digest:
        return DataTestScope(EVERY_ROW, "the bank holidays changed since the last published build: "
                                        "every row is tested")
    return DataTestScope(last.registry_max_file_id,
                         f"tables that grow with history are tested on the keys delivered after file "
                         f"{last.registry_max_file_id} (the last published build's newest)")


def record_data_test_scope(con: duckdb.DuckDBPyConnection, scope: DataTestScope) -> None:
    con.execute("create schema if not exists ops")
    con.execute(f"create or replace table {DATA_TEST_SCOPE_TABLE} as "
                "select ?::bigint as since_file_id, ? as reason", [scope.since_file_id, scope.reason])
