"""One writer at a time: a second process waits for the lock and says who holds it."""
import subprocess
import sys
import textwrap

import pytest

from pipelines.warehouse import WarehouseBusy, write_lock

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipelines.warehouse import write_lock
    with write_lock(Path(sys.argv[1]), command="test holder"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold_lock(lock_path, seconds):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock_path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_is_told_who_holds_the_lock_and_gives_up_after_its_timeout(tmp_path):
    lock = tmp_path / ".write.lock"
    holder = hold_lock(lock, 10)
    messages = []
    try:
        with pytest.raises(WarehouseBusy, match="still being written by process .* \\(test holder"):
            with write_lock(lock, command="second", timeout_s=1.5, notify=messages.append):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert messages and messages[0].startswith("Waiting: the warehouse is being written by process")


def test_a_waiting_writer_proceeds_when_the_holder_finishes(tmp_path):
    lock = tmp_path / ".write.lock"
    holder = hold_lock(lock, 1.0)
    messages = []
    with write_lock(lock, command="second", timeout_s=30, notify=messages.append):
        released = not holder.stdout.read()  # the holder printed nothing more: it has let go
    holder.wait()
    assert released and len(messages) == 1 and "test holder" in messages[0]


def test_the_lock_is_re_entrant_within_a_process(tmp_path):
    lock = tmp_path / ".write.lock"
    with write_lock(lock, command="outer"):
        with write_lock(lock, command="inner", timeout_s=0.1):
            pass
