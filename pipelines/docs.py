"""`mopac docs`: the dbt catalogue of the warehouse (every model, column description, test and the
lineage), generated from the built warehouse and served read-only.

dbt reads column types from the warehouse file itself, so generating takes the write lock for the
few seconds it needs (a build may be running: it waits, saying so). Serving reads only the
generated files: a browser left open never holds the warehouse.
"""
from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.warehouse import write_lock

DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# dbt's single-file catalogue (manifest and catalog embedded): opens from disk, no server needed.
STATIC_PAGE = "static_index.html"


class DocsError(RuntimeError):
    """The catalogue could not be generated; the message says what to do."""


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "docs"


def generate_docs(settings: Settings, log: Callable[[str], None] = print) -> Path:
    """Run `dbt docs generate --static` against the built warehouse into <warehouse>/docs; returns
    the folder (index.html with manifest.json and catalog.json beside it, and STATIC_PAGE)."""
    if not settings.warehouse_db.exists():
        raise DocsError(f"There is no warehouse at {settings.warehouse_db} yet: run `mopac build` first.")
    target = docs_dir(settings)
    command = [DBT_EXECUTABLE, "docs", "generate", "--static", "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
               "--log-path", str(settings.logs_dir / "dbt-docs")]
    environment = {**os.environ, "MOPAC_WAREHOUSE_DB": str(settings.warehouse_db), "DBT_USE_COLORS": "false"}
    with write_lock(settings.write_lock_path, command="mopac docs", notify=log):
        log(f"Generating the dbt catalogue of {settings.warehouse_db} into {target}...")
        finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        raise DocsError(f"`dbt docs generate` failed (exit {finished.returncode}); its log is in "
                        f"{settings.logs_dir / 'dbt-docs'}. Build the warehouse (`mopac build`) and try again.")
    return target


def serve_docs(folder: Path, port: int, log: Callable[[str], None] = print) -> None:
    """Serve the generated catalogue on localhost until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        log(f"The warehouse catalogue: http://127.0.0.1:{port}/ (Ctrl-C to stop; or open {folder / STATIC_PAGE})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log("Stopped.")
