"""The dbt project and its manifest, prepared once per process."""

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR

# dbt installed beside this interpreter, whether or not the environment is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
MANIFEST_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any file dbt parses."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in MANIFEST_INPUTS:
        path = project_dir / name
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


def ensure_manifest(project: DbtProject) -> Path:
    """`dbt parse` when the manifest is stale, so definitions always load the current models
    (`dagster dev`, `mopac build` and the tests alike)."""
    if manifest_is_stale(Path(project.project_dir), project.manifest_path):
        subprocess.run([DBT_EXECUTABLE, "parse", "--quiet",
                        "--project-dir", str(project.project_dir), "--profiles-dir", str(project.project_dir)],
                       check=True)
    return project.manifest_path


mopac_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ensure_manifest(mopac_dbt_project)
