"""`mopac`: generate a synthetic London, build, inspect, explore."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pipelines.settings import PROJECT_ROOT, SettingsError, load_settings

DEMO_ARGS = {"start": "2025-01", "months": 3, "scale": 0.05, "seed": 42}


def _settings():
    try:
        return load_settings()
    except SettingsError as problem:
        raise click.ClickException(str(problem)) from None


def _prepare_dbt_manifest() -> None:
    """Outside Make, the dbt manifest may be older than the dbt project: prepare it once, before the
    definitions load (they read it)."""
    from pipelines.defs.dbt_project import prepare_if_stale

    prepare_if_stale(notify=click.echo)


def _truth_dir_for(landing: Path) -> Path:
    return landing.parent / "ground_truth"


def _generate(landing: Path, truth: Path, start: str, months: int, scale: float, seed: int,
              defect_scale: float = 1.0) -> None:
    from pipelines.synthetic import DefectRates, generate

    defects = DefectRates.none() if defect_scale == 0 else DefectRates().scaled(defect_scale)
    click.echo(f"Generating {months} month(s) of synthetic London from {start} at scale {scale} (seed {seed}, "
               f"defects x{defect_scale:g})")
    click.echo(f"  extracts -> {landing}\n  ground truth -> {truth}")
    summary = generate(landing, truth, start=start, months=months, scale=scale, seed=seed, defects=defects,
                       progress=lambda message: click.echo(f"  {message}"))
    click.echo(str(summary))


VERBOSE = click.option("-v", "--verbose", is_flag=True,
                       help="Print the whole Dagster and dbt log while building (it always goes to a file under "
                            "<warehouse>/logs/).")


def _report(settings, outcome) -> None:
    """The summary, on the console and at the end of the build's log file."""
    from pipelines.build import summarise

    summary = summarise(settings, outcome)
    click.echo(summary)
    if outcome.log_path is not None and outcome.log_path.exists():
        with open(outcome.log_path, "a", encoding="utf-8") as handle:
            handle.write(f"\n{summary}\n")


@click.group()
def main() -> None:
    """London Victims' Warehouse: validated, pseudonymised, linked victim-journey marts for MOPAC."""


@main.command()
@click.option("--months", default=3, show_default=True, help="How many months to generate.")
@click.option("--start", default="2025-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--scale", default=0.05, show_default=True, help="1.0 is real London volume.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same files.")
@click.option("--defect-scale", default=1.0, show_default=True,
              help="Multiply every defect rate (0 = a clean world with no re-deliveries).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Landing folder to write into (default MOPAC_LANDING_DIR); ground truth goes beside it.")
def generate(months: int, start: str, scale: float, seed: int, defect_scale: float, out: Path | None) -> None:
    """Write synthetic extracts for every synthetic feed, and their ground truth."""
    if defect_scale < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--defect-scale")
    landing = (out or _settings().landing_dir).resolve()
    _generate(landing, _truth_dir_for(landing), start, months, scale, seed, defect_scale)


@main.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental marts from staging (after a calendar change).")
@VERBOSE
def build(full_refresh: bool, verbose: bool) -> None:
    """Process every new landing file, build and test the warehouse, publish the marts."""
    from pipelines.build import run_build

    settings = _settings()
    if settings.uses_dev_key:
        click.echo("Note: using the development pseudonym key (set MOPAC_PSEUDONYM_KEY for real data).", err=True)
    _prepare_dbt_manifest()
    outcome = run_build(settings, full_refresh=full_refresh, log=click.echo, verbose=verbose)
    _report(settings, outcome)
    sys.exit(0 if outcome.succeeded else 1)


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@VERBOSE
def rebuild(yes: bool, verbose: bool) -> None:
    """Rebuild the warehouse from every file in the landing folder (after changing MOPAC_PSEUDONYM_KEY)."""
    from pipelines.build import rebuild_from_landing

    settings = _settings()
    if not yes:
        click.confirm(f"Rebuild the warehouse from every file in {settings.landing_dir}? The current warehouse "
                      f"file is moved to {settings.warehouse_dir / 'replaced'}/, not deleted.", abort=True)
    _prepare_dbt_manifest()
    _, outcome = rebuild_from_landing(settings, log=click.echo, verbose=verbose)
    _report(settings, outcome)
    sys.exit(0 if outcome.succeeded else 1)


BUILD_WRITING = "A build is writing the warehouse right now; try again when it finishes"


def _a_build_holds_the_warehouse(problem: Exception) -> bool:
    """DuckDB refuses even a read-only connection, with an IOException naming the lock, while a
    build holds the file."""
    return "lock" in str(problem).lower()


@main.command()
def status() -> None:
    """The file registry and data quality at a glance (never takes the write lock)."""
    from pipelines.build import summarise

    settings = _settings()
    try:
        click.echo(summarise(settings))
    except Exception as problem:
        if not _a_build_holds_the_warehouse(problem):
            raise
        click.echo(f"{BUILD_WRITING} (the published copy at {settings.published_dir} is readable meanwhile).")


@main.command()
@VERBOSE
def demo(verbose: bool) -> None:
    """Generate a small London (a few months) and build it, for a first look."""
    from pipelines.build import run_build

    settings = _settings()
    if any(settings.landing_dir.glob("*/*")):
        click.echo(f"{settings.landing_dir} already holds files: building what is there.")
    else:
        _generate(settings.landing_dir, _truth_dir_for(settings.landing_dir), **DEMO_ARGS)
    _prepare_dbt_manifest()
    click.echo("Building the warehouse (ingest -> dbt build and tests -> publish)...")
    outcome = run_build(settings, log=click.echo, verbose=verbose)
    _report(settings, outcome)
    click.echo("\nNext: `mopac status`, `make dev` for the Dagster UI, or query the published copy with DuckDB.")
    sys.exit(0 if outcome.succeeded else 1)


@main.command()
@click.option("--months", default=1, show_default=True, help="Months in the warehouse before the new month.")
@click.option("--against", default=1, show_default=True,
              help="Months of the smaller warehouse the new month's cost is compared with (e.g. --months 60 --against 12).")
@click.option("--scale", default=1.0, show_default=True, help="1.0 is real London volume.")
@click.option("--seed", default=42, show_default=True)
@click.option("--start", default="2025-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--defect-scale", default=1.0, show_default=True, help="As for generate (0 = a clean world).")
@click.option("--keep", type=click.Path(path_type=Path), default=None,
              help="A new or empty folder to keep the worlds, build outputs and logs in (default: a temporary one).")
@click.option("--repeats", default=3, show_default=True,
              help="Builds of each new month from the same state; the median is reported.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None, help="Also write the figures here.")
def benchmark(months: int, against: int, scale: float, seed: int, start: str, defect_scale: float, keep: Path | None,
              repeats: int, json_path: Path | None) -> None:
    """Time `mopac build` stage by stage, with peak memory, against DuckDB loading the same files."""
    import json

    from pipelines.benchmark import run_benchmark

    if months < 1:
        raise click.BadParameter("must be 1 or more", param_hint="--months")
    if not 1 <= against <= months:
        raise click.BadParameter("must be between 1 and --months", param_hint="--against")
    if repeats < 1:
        raise click.BadParameter("must be 1 or more", param_hint="--repeats")
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise click.BadParameter(f"{keep} is not empty", param_hint="--keep")
    _prepare_dbt_manifest()
    report = run_benchmark(months=months, scale=scale, seed=seed, start=start, keep=keep, defect_scale=defect_scale,
                           against=against, repeats=repeats, echo=click.echo)
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2))
        click.echo(f"Figures written to {json_path}")
    if any(build["exit_code"] != 0 for build in report["builds"]):
        sys.exit(1)


@main.command("linkage-quality")
@click.option("--truth", "truth_dir", type=click.Path(path_type=Path), default=None,
              help="The ground truth folder of the synthetic world the warehouse was built from "
                   "(default: ground_truth beside the landing folder, where `mopac demo` writes it).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None, help="Also write the figures here.")
def linkage_quality(truth_dir: Path | None, json_path: Path | None) -> None:
    """How well the victim keys match the true persons of a synthetic world: pairwise by feed pair,
    clusters, cluster sizes (never takes the write lock)."""
    import json

    from pipelines.linkage.quality import VICTIM_KEYS_TABLE, format_report, measure
    from pipelines.linkage.truth import RECORDS_TABLE
    from pipelines.warehouse import connect_read_only

    settings = _settings()
    truth_dir = truth_dir or _truth_dir_for(settings.landing_dir)
    if not settings.warehouse_db.exists():
        raise click.ClickException(f"No warehouse yet at {settings.warehouse_db}: run `mopac build` "
                                   "(or `mopac demo`) first.")
    if not (truth_dir / "records.parquet").exists():
        raise click.ClickException(f"No ground truth at {truth_dir} (records.parquet): pass the folder "
                                   "`mopac generate` wrote beside the landing folder with --truth, or run "
                                   "`mopac generate` first. "
                                   "Only a synthetic world has a truth to measure against.")
    try:
        con = connect_read_only(settings.warehouse_db)
    except Exception as problem:
        if not _a_build_holds_the_warehouse(problem):
            raise
        raise click.ClickException(f"{BUILD_WRITING}.") from None
    try:
        present = {schema + "." + name for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        missing = [table for table in (RECORDS_TABLE, VICTIM_KEYS_TABLE) if table not in present]
        if missing:
            raise click.ClickException(f"The warehouse has no linkage tables yet ({', '.join(missing)} missing): run "
                                       "`mopac build` with a version that builds the linkage models.")
        quality = measure(con, truth_dir)
    finally:
        con.close()
    click.echo(format_report(quality))
    if json_path is not None:
        json_path.write_text(json.dumps(quality.to_dict(), indent=2))
        click.echo(f"Figures written to {json_path}")


@main.command()
@click.option("--port", default=8580, show_default=True, help="Port to serve the catalogue on (localhost only).")
@click.option("--no-serve", is_flag=True, help="Only generate it (<warehouse>/docs), do not serve it.")
def docs(port: int, no_serve: bool) -> None:
    """The dbt catalogue of the warehouse: every table, column description, test and the lineage."""
    from pipelines.docs import DocsError, generate_docs, serve_docs

    settings = _settings()
    _prepare_dbt_manifest()
    try:
        folder = generate_docs(settings, log=click.echo)
    except DocsError as problem:
        raise click.ClickException(str(problem)) from None
    if no_serve:
        click.echo(f"Generated: {folder} (open {folder / 'static_index.html'} in a browser).")
        return
    serve_docs(folder, port, log=click.echo)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("dagster_args", nargs=-1, type=click.UNPROCESSED)
def dev(dagster_args: tuple[str, ...]) -> None:
    """Start the Dagster UI (`dagster dev`) on this project's instance."""
    from pipelines.build import use_project_instance

    use_project_instance()
    dagster = str(Path(sys.executable).parent / "dagster")
    os.chdir(PROJECT_ROOT)
    # pyproject.toml [tool.dagster] names the module and the code location.
    os.execv(dagster, [dagster, "dev", *dagster_args])
