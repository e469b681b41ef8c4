"""How long publishing takes, and its peak memory, when nothing, a small table or the large table changed.

    python -m pipelines.publish_benchmark [--rows 12000000] [--dir DIR]

Builds a warehouse whose marts hold one large table (20 columns) and a few small ones, then
publishes it four times: first in full, then with nothing changed, with one small table changed,
and with one row of the large table changed. Every step runs in a fresh process, so each
publish's peak RSS is its own (a process's peak never goes down).
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import duckdb

from pipelines.publish import publish

SMALL_TABLES = 4
SCENARIOS = {  # name -> the change made to the warehouse before publishing
    "first (full) publish": None,
    "nothing changed": None,
    "a small table changed": "update marts.small_0 set label = 'changed' where id = 0",
    "the large table changed": "update marts.fct_large set s0 = 'changed' where id = 0",
}


def make_warehouse(path: Path, rows: int) -> None:
    columns = ", ".join([f"i * {k} + 7 as n{k}" for k in range(6)]
                        + [f"'ref-' || (i % 99991)::varchar || '-{k}' as s{k}" for k in range(6)]
                        + [f"date '2020-01-01' + (i % 2000)::int as d{k}" for k in range(4)]
                        + [f"(i % 97) / 7.0 as f{k}" for k in range(3)])
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_large as select i as id, {columns} from range(?) r(i)", [rows])
        for k in range(SMALL_TABLES):
            con.execute(f"create table marts.small_{k} as select i as id, 'x' || i as label from range(1000) r(i)")


def change_warehouse(path: Path, change: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(change)


def timed_publish(warehouse_db: Path, published_dir: Path) -> dict:
    started = time.perf_counter()
    result = publish(warehouse_db, published_dir)
    return {"seconds": time.perf_counter() - started,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,  # ru_maxrss is in KiB on Linux
            "written": result.written}


def _silence_stdout() -> None:
    # DuckDB draws its progress bar for long queries on stdout
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


def in_fresh_process(function, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=_silence_stdout) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=12_000_000, help="rows of the large table")
    parser.add_argument("--dir", type=Path, help="a new or empty working folder, kept after (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.dir or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        warehouse_db = root / "warehouse.duckdb"
        in_fresh_process(make_warehouse, warehouse_db, args.rows)
        for name, change in SCENARIOS.items():
            if change:
                in_fresh_process(change_warehouse, warehouse_db, change)
            outcome = in_fresh_process(timed_publish, warehouse_db, root / "published")
            print(f"{name:25} {outcome['seconds']:6.1f} s  peak RSS {outcome['peak_rss_gb']:4.2f} GB  "
                  f"written {list(outcome['written'])}", flush=True)


if __name__ == "__main__":
    main()
