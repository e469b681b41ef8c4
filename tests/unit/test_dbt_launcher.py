"""dbt is started through `mopac-dbt`, which has the kernel kill it when the build that started it
dies: a build killed with SIGKILL leaves no dbt writing the warehouse on its own."""
import os
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from packaging import version

from pipelines.dbt_launcher import WORKING_DIRECTORY_VARIABLE
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
    usage = subprocess.run([DBT_LAUNCHER, "--help"], capture_output=True, text=True, timeout=120)
    assert usage.returncode == 0 and "Usage: dbt" in usage.stdout


def test_builds_open_no_dbt_adapter_in_their_own_process():
    """dagster-dbt would make one before every invocation (1.4 s) for metadata builds never fetch."""
    from dagster_dbt import DbtCliResource

    from pipelines.defs.resources import resources

    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)  # the hook the resource overrides is still there
    assert resources().resources["dbt"]._initialize_dbt_core_adapter(["build"]) is None


def test_the_launcher_tells_dagster_dbt_the_installed_version_without_starting_dbt():
    """dagster-dbt reads the version before every invocation; dbt would import itself and ask PyPI."""
    from dagster_dbt import DbtCliResource

    answer = subprocess.run([sys.executable, "-c", "import sys\nsys.argv = ['mopac-dbt', '--version']\n"
                             "from pipelines.dbt_launcher import main\nmain()\nprint('dbt' in sys.modules)"],
                            capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)
    assert answer.stdout.splitlines()[-1] == "False"  # dbt was never imported
    assert DbtCliResource(project_dir=str(PROJECT_ROOT / "dbt_project"),
                          dbt_executable=DBT_LAUNCHER)._cli_version == version.parse(metadata.version("dbt-core"))


def test_the_launcher_starts_dbt_in_the_folder_it_is_given(tmp_path):
    """Builds have dbt open the warehouse by its file name, from the warehouse's folder."""
    becomes = ("import os, sys\nos.execv = lambda path, args: print(os.getcwd(), os.path.basename(path), args[1:])\n"
               "sys.argv = ['mopac-dbt', 'build']\nfrom pipelines.dbt_launcher import main\nmain()")
    started = subprocess.run([sys.executable, "-c", becomes], capture_output=True, text=True, timeout=60,
                             cwd=PROJECT_ROOT, env={**os.environ, WORKING_DIRECTORY_VARIABLE: str(tmp_path)})
    assert started.stdout.strip() == f"{tmp_path} dbt ['build']"
