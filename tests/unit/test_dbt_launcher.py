"""dbt is started through `mopac-dbt`, which has the kernel kill it when the build that started it
dies: a build killed with SIGKILL leaves no dbt writing the warehouse on its own."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.defs.dbt_project import DBT_LAUNCHER
from pipelines.settings import PROJECT_ROOT

# A stand-in for the build: it starts a child that asks to die with it (as mopac-dbt does before
# becoming dbt), says the child's pid, and waits to be killed.
BUILD = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import os, time\\n"
                          "from pipelines.dbt_launcher import die_with_parent\\n"
                          "assert die_with_parent(os.getppid())\\n"
                          "print('asked', flush=True)\\n"
                          "time.sleep(120)"], stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(120)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (killed, not yet reaped by whoever inherited it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_the_child_dies_with_the_process_that_started_it():
    build = subprocess.Popen([sys.executable, "-c", BUILD], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    child = int(build.stdout.readline())
    try:
        assert running(child)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10
        while running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(child)
    finally:
        build.kill()
        if running(child):
            os.kill(child, signal.SIGKILL)


def test_builds_run_dbt_through_the_launcher_which_becomes_dbt():
    from pipelines.defs.resources import resources

    assert Path(DBT_LAUNCHER).name == "mopac-dbt"
    assert resources().resources["dbt"].dbt_executable == DBT_LAUNCHER
    version = subprocess.run([DBT_LAUNCHER, "--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and "installed:" in version.stdout
