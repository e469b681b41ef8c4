"""Notice new or changed files in the landing folder and run the build."""

import hashlib

import dagster as dg

from pipelines.defs.jobs import build_warehouse
from pipelines.ingest.landing import list_landing_files
from pipelines.settings import load_settings


def landing_fingerprint(landing_dir) -> str:
    """Changes whenever a file is added, removed, renamed or rewritten (name, size, mtime)."""
    digest = hashlib.sha256()
    for f in list_landing_files(landing_dir):
        digest.update(f"{f.relative_path}\0{f.size_bytes}\0{f.mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(job=build_warehouse, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Runs build_warehouse when the landing folder changes.")
def landing_sensor(context: dg.SensorEvaluationContext):
    fingerprint = landing_fingerprint(load_settings().landing_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("No change in the landing folder.")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
