"""Every dbt model, seed and test as Dagster assets and checks, built with `dbt build`."""

import contextlib
import io
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.data_test_scope import DataTestScope, data_test_scope, record_data_test_scope
from pipelines.dbt_launcher import PARENT_PID_VARIABLE, WORKING_DIRECTORY_VARIABLE
from pipelines.defs.dbt_project import mopac_dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_translator import MopacDbtTranslator
from pipelines.publish import PUBLISHED_DB_NAME
from pipelines.settings import PROJECT_ROOT, WAREHOUSE_FILE_NAME
from pipelines.transform_inputs import (
    PublishedBuild,
    last_published_inputs,
    read_transform_inputs,
    unchanged_since_last_publish,
)


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


# dbt unit tests check the models' logic on fixed inputs, not the data: they run in the test suite
# (tests/integration/test_dbt_unit_tests.py), as dbt advises, not in every build of the warehouse.
BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def dbt_build_args(full_refresh: bool) -> list[str]:
    return ["build", *BUILD_EXCLUDES, *(["--full-refresh"] if full_refresh else [])]


def dbt_python_path() -> str:
    """PYTHONPATH for dbt: its Python models import this checkout's pipelines package first, not
    the one the environment's editable install points at (another checkout, e.g. a worktree's
    main). Idempotent, since the asset updates os.environ on every run."""
    others = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path and path != str(PROJECT_ROOT)]
    return os.pathsep.join([str(PROJECT_ROOT), *others])


def dbt_environment(warehouse: WarehouseResource) -> dict[str, str]:
    """dbt runs in its own process, in the warehouse's folder, and opens the warehouse file by its
    name (dbt_project/profiles.yml); its launcher is told which process it must not outlive. Its
    lines go to the run's log (and log file), where colour codes would only be noise."""
    return {"MOPAC_WAREHOUSE_DB": WAREHOUSE_FILE_NAME,
            WORKING_DIRECTORY_VARIABLE: str(warehouse.settings.warehouse_dir),
            PARENT_PID_VARIABLE: str(os.getpid()), "DBT_USE_COLORS": "false", "PYTHONPATH": dbt_python_path()}


PARSE_STATE = "partial_parse.msgpack"


def start_from_prepared_parse(target_dir: Path, prepared_dir: Path) -> bool:
    """Give a target folder without dbt's parse state the one prepared with the manifest (the same
    profile, see dbt_launcher): dbt then re-parses only the files changed since, not the whole
    project. True when it was copied."""
    if (target_dir / PARSE_STATE).exists() or not (prepared_dir / PARSE_STATE).exists():
        return False
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(prepared_dir / PARSE_STATE, target_dir / PARSE_STATE)
    return True


class LinesTo(io.TextIOBase):
    """A text stream that passes each complete, non-blank line to `log`."""

    def __init__(self, log: Callable[[str], None]):
        self._log = log
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            if line.strip():
                self._log(line.rstrip())
        return len(text)


def with_output_to(log: Callable[[str], None], events: Iterable) -> Iterator:
    """dagster-dbt echoes each of dbt's lines to stdout; while it produces each event (and only then, not
    while Dagster handles what was yielded) its stdout goes to `log`, so dbt's lines become records of
    the run's log like every other: in the UI's event log, the build's log file, and with -v on the
    console."""
    lines = LinesTo(log)
    iterator = iter(events)
    while True:
        with contextlib.redirect_stdout(lines):
            try:
                event = next(iterator)
            except StopIteration:
                return
        yield event


def prepare_dbt_build(warehouse: WarehouseResource, full_refresh: bool) -> PublishedBuild | DataTestScope:
    """From one read of what dbt reads: the last published build when nothing has changed since it
    and its copy is still in place (dbt has nothing to do); else the rows this build's data tests
    check, left where the dbt macro reads them, with the failing-row views older builds kept dropped."""
    with warehouse.connect() as con:
        inputs = read_transform_inputs(con, mopac_dbt_project.project_dir)
        if not full_refresh and (warehouse.settings.published_dir / PUBLISHED_DB_NAME).exists():
            if (last := unchanged_since_last_publish(con, inputs)) is not None:
                return last
        scope = data_test_scope(last_published_inputs(con), inputs, full_refresh=full_refresh)
        record_data_test_scope(con, scope)
        # Until 2026-11-22 dbt kept each test's failing rows as a view here; stale, they would only mislead.
        con.execute("drop schema if exists test_failures cascade")
    return scope


def nothing_new_message(last: PublishedBuild) -> str:
    return (f"Nothing new since build {last.build_id} published at "
            f"{last.published_at:%Y-%m-%d %H:%M:%S %Z}: dbt and publish not run.")


@dbt_assets(manifest=mopac_dbt_project.manifest_path, project=mopac_dbt_project,
            dagster_dbt_translator=MopacDbtTranslator())
def mopac_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                     config: DbtBuildConfig):
    plan = prepare_dbt_build(warehouse, config.full_refresh)
    if isinstance(plan, PublishedBuild):
        # Yielding no outputs (dbt's are optional) makes Dagster skip the publish step downstream.
        context.log.info(nothing_new_message(plan))
        return
    context.log.info(f"Data tests: {plan.reason}.")
    os.environ.update(dbt_environment(warehouse))
    start_from_prepared_parse(warehouse.settings.dbt_target_dir, mopac_dbt_project.manifest_path.parent)
    # One target (and log) folder per warehouse, overwritten by each build, instead of dagster-dbt's
    # default of a new folder per invocation: bounded on disk, and dbt parses only what changed.
    yield from with_output_to(context.log.info, dbt.cli(dbt_build_args(config.full_refresh), context=context,
                                                        target_path=warehouse.settings.dbt_target_dir).stream())
