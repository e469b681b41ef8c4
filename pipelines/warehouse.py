"""The DuckDB warehouse file and the project-level write lock.

DuckDB lets one process write a database file; a second writer fails with "Could not set lock".
So every process that writes the warehouse first takes an advisory lock on a file beside it and
waits (saying so) while another build holds it. Readers never take the lock.
"""
from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

_held = threading.local()


class WarehouseBusy(RuntimeError):
    """Another process kept the write lock for longer than we were willing to wait."""


def _holder_description(lock_path: Path) -> str:
    try:
        holder = json.loads(lock_path.read_text() or "{}")
    except (OSError, ValueError):
        return "another process"
    return f"process {holder.get('pid', '?')} ({holder.get('command', '?')}, since {holder.get('since', '?')})"


@contextmanager
def write_lock(
    lock_path: Path,
    *,
    command: str,
    timeout_s: float = 3600.0,
    notify: Callable[[str], None] = print,
) -> Iterator[None]:
    """Hold the warehouse write lock; re-entrant within one process (a build holds it for the run
    and its assets take it again)."""
    depth = getattr(_held, "depth", 0)
    if depth:
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            notify(f"Waiting: the warehouse is being written by {_holder_description(lock_path)}.")
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WarehouseBusy(
                            f"The warehouse at {lock_path.parent} is still being written by "
                            f"{_holder_description(lock_path)} after {timeout_s:.0f}s. "
                            "Wait for that build to finish, then run again."
                        ) from None
                    time.sleep(1.0)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": command,
                                 "since": datetime.now().isoformat(timespec="seconds")}))
        handle.flush()
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


# DuckDB checkpoints (writes the WAL's committed rows into the database file) at the first commit
# after the WAL passes this size, and when the file is closed. At its default of 16MB a police month
# (~50MB of WAL when tokens were 64 hex characters) checkpointed at every commit, rewriting the
# table's last row groups each time: a year of police deliveries took 20-23 s to ingest, against
# 15 s (close included) at 512MB, with the same peak memory (DuckDB's share is capped by
# memory_limit) and a 22% smaller file. A crash loses nothing either way: what is committed is in
# the WAL, replayed when the file is next opened.
CHECKPOINT_THRESHOLD = "512MB"


def connect_for_write(db_path: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing. Call inside `write_lock`; close before dbt runs."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(db_path), config={"memory_limit": memory_limit,
                                                "checkpoint_threshold": CHECKPOINT_THRESHOLD})


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db_path), read_only=True)
