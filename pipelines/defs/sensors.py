"""Notice new or changed files in the landing folder and run the build, once they have settled."""

import hashlib
import json
from dataclasses import dataclass

import dagster as dg

from pipelines.defs.jobs import build_warehouse
from pipelines.ingest.landing import list_landing_files
from pipelines.settings import load_settings


def landing_fingerprint(landing_dir) -> str:
    """Changes whenever a file is added, removed, renamed or rewritten (name, size, modification and
    change time). Hidden files and partial uploads are not deliveries and are left out."""
    digest = hashlib.sha256()
    for f in list_landing_files(landing_dir):
        digest.update(f"{f.relative_path}\0{f.size_bytes}\0{f.mtime_ns}\0{f.ctime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class SensorDecision:
    run: bool
    cursor: str
    reason: str


def decide(cursor: str | None, fingerprint: str) -> SensorDecision:
    """A run is requested when the landing folder looks the same as at the previous evaluation (no
    file still being written: same names, sizes and times across two evaluations) and differs from
    what the last requested run saw."""
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = None
    if not isinstance(state, dict):  # a cursor from before this rule: a bare fingerprint
        state = {"launched": cursor}
    settled = state.get("seen") == fingerprint
    run = settled and state.get("launched") != fingerprint
    launched = fingerprint if run else state.get("launched")
    reason = ("Landing folder changed and settled." if run else
              "No change in the landing folder." if fingerprint == state.get("launched") else
              "Landing folder changed; waiting one more evaluation for files still being written to settle.")
    return SensorDecision(run, json.dumps({"seen": fingerprint, "launched": launched}), reason)


@dg.sensor(job=build_warehouse, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Runs build_warehouse when the landing folder has changed and then stayed the same for "
                       "one evaluation (30 s), so a file still being written is never read half-way.")
def landing_sensor(context: dg.SensorEvaluationContext):
    fingerprint = landing_fingerprint(load_settings().landing_dir)
    decision = decide(context.cursor, fingerprint)
    context.update_cursor(decision.cursor)
    if not decision.run:
        return dg.SkipReason(decision.reason)
    return dg.RunRequest(run_key=fingerprint)
