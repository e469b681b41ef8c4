"""The published, read-only copy of the marts: the last step of every build."""

import dagster as dg

from pipelines.defs.dbt import mopac_dbt_models
from pipelines.defs.dbt_project import mopac_dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.publish import publish
from pipelines.transform_inputs import read_transform_inputs, record_published_build


def rebuilt_every_dbt_model(run_asset_keys) -> bool:
    """Whether this run built every dbt asset (the whole job, or a selection holding them all; publish
    runs only if they succeeded), so that the marts being published reflect the inputs read now."""
    return set(mopac_dbt_models.keys) <= set(run_asset_keys)


@dg.asset(key=["published", "mopac_marts"], group_name="published", kinds={"duckdb", "parquet"},
          deps=[mopac_dbt_models],
          description="marts.* copied to <warehouse>/published/mopac_marts.duckdb and parquet/<table>.parquet, "
                      "swapped in atomically. Runs only after the dbt build and its blocking tests pass; "
                      "records what it was built from in ops.published_builds.")
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    with warehouse.connect() as con:
        inputs = read_transform_inputs(con, mopac_dbt_project.project_dir)
    result = publish(settings.warehouse_db, settings.published_dir)
    if rebuilt_every_dbt_model(context.job_def.asset_layer.selected_asset_keys):
        # The next build compares against this to decide whether dbt and publish have anything to do.
        with warehouse.connect() as con:
            record_published_build(con, result.build_id, inputs)
    else:
        context.log.info("Published without rebuilding every dbt model in this run: not recorded as "
                         "up to date, so the next build runs dbt.")
    if result.full_publish:
        context.log.info(f"Full publish: {result.full_publish_reason}.")
    return dg.MaterializeResult(metadata={"build_id": result.build_id, "database": str(result.database),
                                          "inputs_fingerprint": inputs.fingerprint,
                                          "tables_written": len(result.written), "tables_reused": len(result.reused),
                                          **{f"rows_{t}": n for t, n in result.tables.items()}})
