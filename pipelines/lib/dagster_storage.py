"""Dagster's SQLite storage, with an event log that keeps its database connections open.

Dagster's `SqliteEventLogStorage` builds a new SQLAlchemy engine, opens the database file and
throws both away for every event it stores (once for the run's database, again for the index of
asset events). A build stores an event for every asset and every dbt test it plans, starts and
evaluates, several hundred in all: profiled, that bookkeeping was the build process's largest cost
(README, Performance). This storage keeps one connection per database file instead, and lets SQLite
sync its write-ahead log at checkpoints rather than at every commit.

The files, their layout and their schema are Dagster's own (`storage: sqlite` in dagster.yaml
reads the same folder), so the Dagster UI and daemon see the same history.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData

# Database files (a run's own, the index) whose connection stays open: a build uses two; the UI,
# reading many runs, reopens the ones it has not read lately.
OPEN_DATABASES = 8


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` keeping an open connection per database file (the last few used).

    Each connection is used under the storage's lock, as Dagster's own are, so one connection per
    file serves every thread. In WAL mode, `synchronous=NORMAL` loses no committed event when the
    process is killed, only the last ones if the machine loses power; the warehouse's state is
    DuckDB's and the file registry's, never Dagster's history."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[tuple[int, str], sa.Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> sa.Engine:
        key = (os.getpid(), shard)  # a forked process opens its own
        engine = self._engines.pop(key, None)
        if engine is None:
            engine = sa.create_engine(self.conn_string_for_shard(shard), poolclass=sa.pool.StaticPool,
                                      connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                    "check_same_thread": False})
            sa.event.listen(engine, "connect", _sync_at_checkpoints)
        self._engines[key] = engine
        while len(self._engines) > OPEN_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()


def _sync_at_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("pragma synchronous = normal")


class ProjectSqliteStorage(DagsterSqliteStorage):
    """`storage: sqlite` of dagster.yaml, with `KeptConnectionsEventLogStorage` as its event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage.dispose()
        self._event_log_storage = KeptConnectionsEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value) -> ProjectSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
