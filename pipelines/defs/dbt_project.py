"""The dbt project. Its manifest (dbt_project/target/manifest.json, what the Dagster definitions
load) is prepared ahead of time, the dagster-dbt way, never on import:

- `make` prepares it with `dagster-dbt project prepare-and-package --file pipelines/defs/dbt_project.py`
  whenever a dbt source file is newer than it (so `make test|demo|build|dev` start current);
- `dagster dev` re-prepares it on every code load (`prepare_if_dev`);
- `mopac build` / `mopac demo` and the test session, which may run outside Make, call
  `prepare_if_stale` once before loading the definitions.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform_inputs import dbt_source_files

# dbt installed beside this interpreter, whether or not the environment is activated. dagster-dbt's
# preparer runs plain `dbt` from PATH, so that folder is put at the front of PATH when it is missing.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
if os.path.dirname(DBT_EXECUTABLE) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(DBT_EXECUTABLE), os.environ.get("PATH", "")])
# What builds run: dbt, through a launcher that has it die with the build (pipelines/dbt_launcher.py).
DBT_LAUNCHER = str(Path(sys.executable).parent / "mopac-dbt")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any file dbt parses (a cheap mtime check,
    the same rule as the Makefile's)."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(f.stat().st_mtime > built for f in dbt_source_files(project_dir))


mopac_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
mopac_dbt_project.prepare_if_dev()


def prepare_if_stale(notify: Callable[[str], None] = print, project: DbtProject = mopac_dbt_project) -> bool:
    """Prepare the manifest (`dbt parse`, as prepare-and-package does) when a dbt source file changed
    since it was prepared. Call once, before the definitions load. True when it prepared."""
    if not manifest_is_stale(Path(project.project_dir), project.manifest_path):
        return False
    notify(f"The dbt manifest is missing or older than the dbt project: preparing it (dbt parse into "
           f"{project.manifest_path.parent}).")
    project.preparer.prepare(project)
    return True
