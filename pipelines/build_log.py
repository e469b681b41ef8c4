"""What a person sees while `mopac build` runs, and where the whole log goes.

By default the console shows one line per ingested file and one per stage (ingest of each feed,
dbt, publish), then the summary. Everything Dagster and dbt log goes, in full, to
`<warehouse>/logs/build-<UTC time>.log` (the last LOGS_KEPT are kept); `-v` prints that log to the
console as well. Both are Dagster loggers chosen in the run's config (pipelines/defs/loggers.py);
Python log records that do not pass through Dagster (e.g. Dagster's own plan-level warnings) reach
the same file through a handler on the root logger for the length of the run.

Every line is built from file names, counts, check and step names: never from a row's values.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

LOGS_KEPT = 20
LOG_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"
# Set on a log record (context.log.info(message, extra={PROGRESS: True})) to show its message as a
# progress line: one ingested (or unknown) file.
PROGRESS = "mopac_progress"
# The run config's logger keys (pipelines/defs/loggers.py).
PROGRESS_LOGGER, FILE_LOGGER, CONSOLE_LOGGER = "mopac_progress", "mopac_log_file", "console"


def new_log_path(logs_dir: Path, now: datetime | None = None) -> Path:
    """`build-<UTC time>.log`, unique in the folder (a second build in the same second gets `-2`)."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path, n = logs_dir / f"build-{stamp}.log", 1
    while path.exists():
        n += 1
        path = logs_dir / f"build-{stamp}-{n}.log"
    return path


def prune_logs(logs_dir: Path, keep: int = LOGS_KEPT) -> list[Path]:
    """Delete all but the `keep` newest build logs; returns the deleted ones."""
    logs = sorted(logs_dir.glob("build-*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    old = logs[:-keep] if keep > 0 else logs
    for path in old:
        path.unlink(missing_ok=True)
    return old


def run_loggers_config(log_path: Path, verbose: bool) -> dict:
    """The run config's `loggers`: the whole log to the file; progress lines, or with -v the whole log,
    on the console."""
    loggers = {FILE_LOGGER: {"config": {"path": str(log_path)}}}
    if verbose:
        loggers[CONSOLE_LOGGER] = {"config": {"log_level": "INFO"}}
    else:
        loggers[PROGRESS_LOGGER] = {}
    return loggers


class AppendFileHandler(logging.Handler):
    """Appends each record to a file, opening it only for that write: the run's Dagster logger and the
    handler for other Python records share the file, and nothing is left open after the run."""

    def __init__(self, path: Path | str, level: int = logging.NOTSET, fmt: str = LOG_FORMAT):
        super().__init__(level)
        self.path = Path(path)
        self.setFormatter(logging.Formatter(fmt))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except Exception:
            self.handleError(record)


class _NotDagster(logging.Filter):
    """Records Dagster has already handled (they carry its metadata) reach the file through its loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not hasattr(record, "dagster_meta")


@contextmanager
def python_logs_to(log_path: Path, verbose: bool) -> Iterator[None]:
    """For the length of the run, Python log records that do not pass through Dagster's loggers go to
    the log file (and, with -v, to the console as before) instead of Python's last-resort stderr."""
    handlers: list[logging.Handler] = [
        AppendFileHandler(log_path, logging.INFO, "%(asctime)s - %(name)s - %(levelname)s - %(message)s")]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in handlers:
        handler.addFilter(_NotDagster())
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()


# --- progress lines ------------------------------------------------------------------------------

@dataclass
class StepTally:
    """What one step did, from its Dagster events: materialisations' metadata and checks."""

    started: float
    materialized: list[dict[str, object]] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: int = 0


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _seconds(seconds: float) -> str:
    return f"({seconds:.1f} s)"


def ingest_line(feed: str, metadata: dict[str, object]) -> str:
    new = int(metadata.get("files_new", 0) or 0)
    if not new:
        return f"ingest {feed}: no new files"
    statuses = {key.removeprefix("files_"): int(n) for key, n in metadata.items()
                if key.startswith("files_") and key != "files_new" and n}
    how = "" if set(statuses) <= {"loaded"} else " (" + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ")"
    return (f"ingest {feed}: {_plural(new, 'new file')}{how}, {int(metadata.get('rows_received', 0) or 0):,} rows "
            f"received, {int(metadata.get('rows_loaded', 0) or 0):,} loaded, "
            f"{int(metadata.get('rows_quarantined', 0) or 0):,} quarantined")


def stage_line(stage: str | None, outcome: str, tally: StepTally, seconds: float) -> str | None:
    """One line for a step that ended (outcome STEP_SUCCESS, STEP_FAILURE or STEP_SKIPPED), or None for
    steps that are not a stage (reference data, the registry) and succeeded or were skipped."""
    if stage is None:
        return None
    if outcome == "STEP_SKIPPED":
        return f"{stage}: not run"
    if outcome == "STEP_FAILURE":
        done = (f": {len(tally.materialized):,} models and seeds built, {tally.checks_passed:,} tests passed, "
                f"{tally.checks_failed:,} failed" if stage == "dbt" else "")
        return f"{stage}: FAILED after {seconds:.1f} s{done} (the summary below says what stopped it)"
    if stage.startswith("ingest "):
        feed = stage.removeprefix("ingest ")
        return f"{ingest_line(feed, tally.materialized[0] if tally.materialized else {})} {_seconds(seconds)}"
    if stage == "dbt":
        if not tally.materialized and not (tally.checks_passed or tally.checks_failed):
            return f"dbt: nothing new since the last publish, not run {_seconds(seconds)}"
        failed = f", {tally.checks_failed:,} failed" if tally.checks_failed else ""
        return (f"dbt build: {len(tally.materialized):,} models and seeds built, "
                f"{tally.checks_passed:,} tests passed{failed} {_seconds(seconds)}")
    if stage == "publish":
        metadata = tally.materialized[0] if tally.materialized else {}
        return (f"publish: {_plural(int(metadata.get('tables_written', 0) or 0), 'table')} written, "
                f"{int(metadata.get('tables_reused', 0) or 0):,} reused {_seconds(seconds)}")
    return f"{stage}: done {_seconds(seconds)}"


class ProgressHandler(logging.Handler):
    """Turns a run's Dagster log records into progress lines: the records tagged PROGRESS as they come,
    and a stage's line when its step ends. `stages` maps step keys to stage names; other steps print
    a line only when they fail."""

    def __init__(self, write: Callable[[str], None], stages: dict[str, str]):
        super().__init__(logging.DEBUG)
        self._write = write
        self._stages = stages
        self._steps: dict[str, StepTally] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None)
        if meta is None:
            return
        if getattr(record, PROGRESS, False):
            self._write(f"  {meta['orig_message']}")
            return
        event, step = meta.get("dagster_event"), meta.get("step_key")
        if event is None or step is None:
            return
        kind = event.event_type_value
        tally = self._steps.setdefault(step, StepTally(started=record.created))
        if kind == "STEP_START":
            tally.started = record.created
        elif kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            tally.materialized.append({key: value.value for key, value in materialization.metadata.items()})
        elif kind == "ASSET_CHECK_EVALUATION":
            if event.event_specific_data.passed:
                tally.checks_passed += 1
            else:
                tally.checks_failed += 1
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            stage = self._stages.get(step, step if kind == "STEP_FAILURE" else None)
            line = stage_line(stage, kind, tally, record.created - tally.started)
            if line:
                self._write(line)
