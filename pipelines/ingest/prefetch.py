"""Work ahead in a background thread: while the warehouse loads one file, the next is already being
read and validated (Polars and DuckDB release the GIL, so the two overlap on a second core).

Only pure work runs ahead: everything written to the warehouse stays on the caller's thread and in
the caller's order, so a file's transaction, and what an interrupted build leaves, are unchanged.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(jobs: list[Callable[[], Iterable[T]]], depth: int,
               heavy: Callable[[T], bool]) -> Iterator[Iterator[T]]:
    """One iterator per job, in order, over the items that job's generator yields; the jobs run one
    after another in a background thread, with at most `depth` heavy items (those holding rows)
    waiting for the caller; light ones never hold the thread back. An exception a job raises is
    raised by its iterator where its items end, with its traceback. Leaving a job's iterator
    part-way skips the rest of its items; closing this generator stops the thread."""
    waiting: queue.Queue = queue.Queue()
    room = threading.Semaphore(depth)
    stop = threading.Event()

    def put(item) -> bool:
        if heavy(item):
            while not room.acquire(timeout=0.1):
                if stop.is_set():
                    return False
        waiting.put(item)
        return not stop.is_set()

    def work() -> None:
        for job in jobs:
            try:
                for item in job():
                    if not put(item):
                        return
            except BaseException as error:  # handed to the caller, who decides what it means
                if not put(_Failed(error)):
                    return
                continue
            if not put(_END):
                return

    def items() -> Iterator[T]:
        while True:
            try:
                item = waiting.get(timeout=0.1)
            except queue.Empty:
                if worker.is_alive():
                    continue
                raise RuntimeError("work ahead stopped before this job ended: its generator was closed") from None
            if heavy(item):
                room.release()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error.with_traceback(item.error.__traceback__)
            yield item

    worker = threading.Thread(target=work, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        for _ in jobs:
            job_items = items()
            yield job_items
            for _ in _unfailing(job_items):  # whatever the caller left of this job
                pass
    finally:
        stop.set()
        worker.join()


def _unfailing(items: Iterator[T]) -> Iterator[T]:
    """The caller chose not to read this job's outcome: its error is dropped, but an interrupt (Ctrl-C
    arriving while the rest is skipped) is not."""
    try:
        yield from items
    except Exception:
        return
