"""Working ahead in a thread changes when a file's pure half runs, never what the caller sees."""
import threading
import time

import pytest

from pipelines.ingest.prefetch import prefetched


def _job(name, count, fail=False, produced=None):
    def run():
        for i in range(count):
            if produced is not None:
                produced.append(f"{name}{i}")
            yield f"{name}{i}"
        if fail:
            raise ValueError(f"{name} failed")
    return run


def _is_heavy(item):
    return True


def _settled(produced: list) -> list:
    """`produced` once the thread has stopped adding to it for a while (it blocks, or is done)."""
    before, deadline = None, time.monotonic() + 10
    while before != produced and time.monotonic() < deadline:
        before = list(produced)
        time.sleep(0.2)
    return produced


def test_each_job_gives_its_items_in_order_and_its_exception_where_they_end():
    jobs = [_job("a", 2), _job("b", 3, fail=True), _job("c", 1)]
    seen = []
    for items in prefetched(jobs, depth=1, heavy=_is_heavy):
        try:
            seen.extend(items)
        except ValueError as error:
            seen.append(str(error))
    assert seen == ["a0", "a1", "b0", "b1", "b2", "b failed", "c0"]


def test_what_the_caller_leaves_of_a_job_is_skipped_failure_included():
    jobs = [_job("a", 3, fail=True), _job("b", 2)]
    ahead = prefetched(jobs, depth=1, heavy=_is_heavy)
    first = next(ahead)
    assert next(first) == "a0"  # then left: a1, a2 and the failure are skipped
    assert list(next(ahead)) == ["b0", "b1"]


def test_at_most_depth_heavy_items_wait_and_light_ones_never_hold_the_thread_back():
    produced = []
    jobs = [_job("h", 6, produced=produced)]

    def heavy(item):
        return item in ("h1", "h2", "h3", "h4", "h5")  # h0 is light

    ahead = prefetched(jobs, depth=2, heavy=heavy)
    items = next(ahead)
    # h0 (light), h1 and h2 wait; h3 is made and held back until the caller takes one
    assert _settled(produced) == ["h0", "h1", "h2", "h3"]
    assert next(items) == "h0" and next(items) == "h1"
    assert _settled(produced) == ["h0", "h1", "h2", "h3", "h4"]
    assert list(items) == ["h2", "h3", "h4", "h5"]


def test_closing_stops_the_thread_part_way_and_what_is_left_of_a_job_says_so():
    produced = []
    ahead = prefetched([_job("a", 100, produced=produced), _job("b", 100, produced=produced)], depth=1,
                       heavy=_is_heavy)
    items = next(ahead)
    assert next(items) == "a0"
    ahead.close()
    assert not [t for t in threading.enumerate() if t.name == "ingest-prefetch"]
    assert len(produced) <= 3 and "b0" not in produced
    with pytest.raises(RuntimeError, match="work ahead stopped"):
        list(items)


def test_the_exception_keeps_its_traceback_from_the_job():
    def failing():
        yield 1
        raise KeyError("x")

    ahead = prefetched([failing], depth=1, heavy=_is_heavy)
    items = next(ahead)
    assert next(items) == 1
    with pytest.raises(KeyError) as raised:
        next(items)
    assert "failing" in [frame.name for frame in raised.traceback]
