"""Every dbt model, seed and test as Dagster assets and checks, built with `dbt build`."""

import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.dbt_launcher import PARENT_PID_VARIABLE
from pipelines.defs.dbt_project import mopac_dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_translator import MopacDbtTranslator
from pipelines.publish import PUBLISHED_DB_NAME
from pipelines.transform_inputs import PublishedBuild, unchanged_since_last_publish


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


def dbt_build_args(full_refresh: bool) -> list[str]:
    return ["build", *(["--full-refresh"] if full_refresh else [])]


def dbt_environment(warehouse: WarehouseResource) -> dict[str, str]:
    """dbt runs in its own process and finds the warehouse through MOPAC_WAREHOUSE_DB; its launcher
    is told which process it must not outlive."""
    return {"MOPAC_WAREHOUSE_DB": str(warehouse.settings.warehouse_db), PARENT_PID_VARIABLE: str(os.getpid())}


def nothing_new_since(warehouse: WarehouseResource) -> PublishedBuild | None:
    """The last published build when nothing dbt reads has changed since it and its copy is still in
    place; None when dbt has something to do."""
    settings = warehouse.settings
    if not (settings.published_dir / PUBLISHED_DB_NAME).exists():
        return None
    with warehouse.connect() as con:
        return unchanged_since_last_publish(con, mopac_dbt_project.project_dir)


def nothing_new_message(last: PublishedBuild) -> str:
    return (f"Nothing new since build {last.build_id} published at "
            f"{last.published_at:%Y-%m-%d %H:%M:%S %Z}: dbt and publish not run.")


@dbt_assets(manifest=mopac_dbt_project.manifest_path, project=mopac_dbt_project,
            dagster_dbt_translator=MopacDbtTranslator())
def mopac_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                     config: DbtBuildConfig):
    if not config.full_refresh and (last := nothing_new_since(warehouse)) is not None:
        # Yielding no outputs (dbt's are optional) makes Dagster skip the publish step downstream.
        context.log.info(nothing_new_message(last))
        return
    os.environ.update(dbt_environment(warehouse))
    # One target (and log) folder per warehouse, overwritten by each build, instead of dagster-dbt's
    # default of a new folder per invocation: bounded on disk, and dbt parses only what changed.
    yield from dbt.cli(dbt_build_args(config.full_refresh), context=context,
                       target_path=warehouse.settings.dbt_target_dir).stream()
