"""Run the Dagster build job in process (what `mopac build` does) and summarise the outcome."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipelines.build_log import new_log_path, prune_logs, python_logs_to, run_loggers_config
from pipelines.failures import FailedTest, failed_dbt_tests, innermost_message
from pipelines.ingest.landing import list_landing_files
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse import connect_read_only, write_lock
from schemas.contract import load_contracts

HEADLINE_METRICS = ("VC_RJ_INFO", "VC_SUPPORT_REFERRAL", "VC_NEEDS_ASSESSED")
# Every run `mopac build` (or `mopac rebuild`) starts carries this tag: the next build can tell the
# runs of builds that were killed (fail_runs_of_killed_builds).
BUILD_RUN_TAG = ("mopac/launched_by", "mopac-build")


def use_project_instance() -> None:
    """The Dagster instance is configured by the project's dagster.yaml (DAGSTER_HOME = project
    root), storing its history under the warehouse's sibling `dagster` folder unless told otherwise."""
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    os.environ.setdefault("MOPAC_DAGSTER_DIR", str(PROJECT_ROOT / "data" / "dagster"))


@dataclass
class BuildOutcome:
    succeeded: bool
    started_at: datetime
    failed_steps: dict[str, str] = field(default_factory=dict)  # step -> the message of what stopped it
    failed_checks: list[str] = field(default_factory=list)
    failed_tests: list[FailedTest] = field(default_factory=list)
    nothing_new: bool = False  # nothing dbt reads had changed since the last publish: dbt and publish skipped
    log_path: Path | None = None  # the run's whole log (Dagster's and dbt's records)
    warnings: list[str] = field(default_factory=list)  # non-blocking checks that did not pass (they stop nothing)


def run_build(settings: Settings, *, full_refresh: bool = False, log: Callable[[str], None] = print,
              verbose: bool = False) -> BuildOutcome:
    """Run the build job in process. The console shows a line per ingested file and per stage (or, with
    `verbose`, the whole log); the whole log goes to a new file under `settings.logs_dir`."""
    use_project_instance()
    import dagster as dg

    from pipelines.defs.dbt import mopac_dbt_models
    from pipelines.defs.jobs import BUILD_JOB_NAME
    from pipelines.defs.publish import published_marts
    from pipelines.definitions import defs

    started = datetime.now(timezone.utc)
    job = defs().resolve_job_def(BUILD_JOB_NAME)
    with write_lock(settings.write_lock_path, command="mopac build", notify=log):
        settings.logs_dir.mkdir(parents=True, exist_ok=True)
        log_path = new_log_path(settings.logs_dir, started)
        log_path.touch()
        prune_logs(settings.logs_dir)
        log(f"Building; the whole log goes to {log_path}")
        run_config = {"ops": {mopac_dbt_models.op.name: {"config": {"full_refresh": full_refresh}}},
                      "loggers": run_loggers_config(log_path, verbose)}
        with dg.DagsterInstance.get() as instance:
            fail_runs_of_killed_builds(instance, log)
            with python_logs_to(log_path, verbose):
                result = job.execute_in_process(instance=instance, run_config=run_config,
                                                tags=dict([BUILD_RUN_TAG]), raise_on_error=False)
    failed_steps = {e.step_key: innermost_message(e.step_failure_data.error)
                    for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    failed_tests = (failed_dbt_tests(settings.dbt_target_dir / "run_results.json", settings.warehouse_db)
                    if mopac_dbt_models.op.name in failed_steps else [])
    not_passed = [e.asset_check_evaluation_data for e in result.all_events
                  if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed]
    failed_checks = [check_name(c) for c in not_passed if c.severity != dg.AssetCheckSeverity.WARN]
    warnings = [f"{check_name(c)}: {c.description}" if c.description else check_name(c)
                for c in not_passed if c.severity == dg.AssetCheckSeverity.WARN]
    skipped_steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    nothing_new = result.success and published_marts.op.name in skipped_steps
    return BuildOutcome(result.success, started, failed_steps, failed_checks, failed_tests, nothing_new, log_path,
                        warnings)


def check_name(evaluation) -> str:
    return f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"


def fail_runs_of_killed_builds(instance, log: Callable[[str], None] = print) -> list[str]:
    """Mark failed the runs of `mopac build` still recorded as in progress; returns their ids.

    Call it holding the write lock: a build holds it from before its run starts until after the run
    ends, so a build's run still in progress now is one whose process was killed (SIGKILL, the OOM
    killer), which had no chance to record its end. Left as it is, such a run would take the
    instance's one run slot (dagster.yaml) and keep every sensor-launched run queued for ever."""
    import dagster as dg

    key, value = BUILD_RUN_TAG
    stale = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING],
        tags={key: value}))
    for run in stale:
        instance.report_run_failed(run, message="The process of this `mopac build` was killed before the run "
                                                "ended; marked failed by the next build.")
        log(f"Run {run.run_id} of a `mopac build` that was killed before it ended: marked failed.")
    return [run.run_id for run in stale]


def rebuild_from_landing(settings: Settings, *, log: Callable[[str], None] = print,
                         verbose: bool = False) -> tuple[Path | None, BuildOutcome]:
    """Build a new warehouse from every file in the landing folder (e.g. with a new pseudonym key).
    The current warehouse file is moved aside, never deleted; the published copy is replaced only
    when the new build publishes."""
    with write_lock(settings.write_lock_path, command="mopac rebuild", notify=log):
        kept = None
        if settings.warehouse_db.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            kept = settings.warehouse_dir / "replaced" / f"{settings.warehouse_db.stem}-{stamp}.duckdb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            settings.warehouse_db.rename(kept)
            wal = settings.warehouse_db.with_name(settings.warehouse_db.name + ".wal")
            if wal.exists():
                wal.rename(kept.with_name(kept.name + ".wal"))
            log(f"The previous warehouse is kept at {kept}: delete it once the new one is checked.")
        return kept, run_build(settings, log=log, verbose=verbose)


def summarise(settings: Settings, outcome: BuildOutcome | None = None) -> str:
    """Files by status, rows, failed checks and headline metrics, for people."""
    lines = []
    if outcome is not None:
        lines.append("Build " + ("completed" if outcome.succeeded else "FAILED: the published copy was left as it was"))
        for step, message in outcome.failed_steps.items():
            lines.append(f"  failed step: {step}: {message}")
        for check in outcome.failed_checks:
            lines.append(f"  failed check: {check}")
        lines.extend(f"  {test.describe()}" for test in outcome.failed_tests)
        lines.extend(f"  warning: {warning}" for warning in outcome.warnings)
        if not outcome.succeeded:
            lines.append("  What to do: README, 'When a build fails'.")
        if outcome.nothing_new:
            lines.append("Nothing new: dbt and publish were not run.")
    if not settings.warehouse_db.exists():
        lines.append(f"No warehouse yet at {settings.warehouse_db}: run `mopac build`.")
        if outcome is not None and outcome.log_path is not None:
            lines.append(f"Log: {outcome.log_path}")
        return "\n".join(lines)
    con = connect_read_only(settings.warehouse_db)
    try:
        lines.append("Files by feed and status:")
        for feed, status, files, received, loaded, quarantined, nulled in con.execute("""
                select coalesce(feed, '(no feed)'), status, count(*), sum(rows_received), sum(rows_loaded),
                       sum(rows_quarantined), sum(fields_nulled)
                from ops.file_registry group by all order by 1, 2""").fetchall():
            rows = f", rows received {received or 0:,}, loaded {loaded or 0:,}, quarantined {quarantined or 0:,}, " \
                   f"fields nulled {nulled or 0:,}" if status in ("loaded", "superseded", "rejected") else ""
            lines.append(f"  {feed:<16} {status:<10} {files:>4} file(s){rows}")
        problems = con.execute("""
            select file_name, status, reason from ops.file_registry
            where status in ('rejected', 'unknown') order by file_id desc limit 10""").fetchall()
        if problems:
            lines.append("Needs attention:")
            lines.extend(f"  {name} ({status}): {reason}" for name, status, reason in problems)
        if con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                       "and table_name = 'metric_values'").fetchone()[0]:
            headline = con.execute("""
                    select metric_id, period_month, numerator, denominator, value, ci_lower, ci_upper
                    from marts.metric_values
                    where geography_level = 'london' and breakdown is null
                      and list_contains($headline, metric_id)
                      -- the headline metrics' own latest month: the public feeds run months ahead
                      and period_month = (select max(period_month) from marts.metric_values
                                          where list_contains($headline, metric_id))
                    order by metric_id""", {"headline": list(HEADLINE_METRICS)}).fetchall()
            if headline:
                lines.append("Headline metrics, all London, latest month:")
            for metric, month, num, den, value, low, high in headline:
                lines.append(f"  {metric:<20} {month:%Y-%m}  {value:6.1%}  ({num:,} of {den:,}; 95% CI "
                             f"{low:.1%}-{high:.1%})")
    finally:
        con.close()
    lines.append(f"Published copy: {settings.published_dir / 'mopac_marts.duckdb'}")
    if outcome is not None and outcome.log_path is not None:
        lines.append(f"Log: {outcome.log_path}")
    return "\n".join(lines)
