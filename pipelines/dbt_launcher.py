"""`mopac-dbt`: dbt, bound to the life of the build that starts it.

dagster-dbt runs dbt as a child process. A build killed with SIGKILL (or by the OOM killer) runs no
clean-up, and its dbt would go on writing the warehouse on its own after the write lock was released
with the build: a build started meanwhile would fail on DuckDB's lock of the warehouse file. So the
build starts dbt through this launcher, which (on Linux) asks the kernel to SIGKILL it when its
parent dies (prctl PR_SET_PDEATHSIG, kept across exec) and then becomes dbt. A dbt killed part-way
is safe: each model is written in its own transaction, and the next build runs dbt again (the
killed build recorded no publish).

It also starts dbt in the warehouse's folder, where dbt's profile names the warehouse file by its
name alone: the profile then renders the same for every warehouse, and dbt, which re-parses the
whole project when its profile changed, takes a new warehouse's first build from the parse state
prepared with the manifest (1.5 s less on every first build; it still re-parses the seeds, which
dagster-dbt's preparer marks changed, and the models that read them).

dagster-dbt asks `dbt --version` before every invocation, only to read dbt-core's version. dbt
itself takes seconds to import for that and asks PyPI for its latest release: a network call from
every build. The launcher answers from the installed packages' metadata instead.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from importlib import metadata
from pathlib import Path

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Set by the dbt asset: the process that starts dbt, to close the gap between fork and prctl.
PARENT_PID_VARIABLE = "MOPAC_DBT_PARENT_PID"
# Set by the dbt asset: the folder dbt runs in (the warehouse's). dagster-dbt starts dbt in the
# project's folder and tells it where the project is through DBT_PROJECT_DIR.
WORKING_DIRECTORY_VARIABLE = "MOPAC_DBT_WORKING_DIR"


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Have the kernel SIGKILL this process when its parent dies. False where that is not available
    (not Linux). Exits at once if the parent has already died."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the request was made: no signal will come
    return True


def installed_versions() -> str:
    """What `dbt --version` says about the installed dbt, without its check for newer releases."""
    return (f"Core:\n  - installed: {metadata.version('dbt-core')}\n\n"
            f"Plugins:\n  - duckdb: {metadata.version('dbt-duckdb')}")


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(installed_versions())
        return
    parent = os.environ.get(PARENT_PID_VARIABLE)
    die_with_parent(int(parent) if parent else None)
    if working_directory := os.environ.get(WORKING_DIRECTORY_VARIABLE):
        os.chdir(working_directory)
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])
