"""The published, read-only copy of the marts: the last step of every build."""

import dagster as dg

from pipelines.defs.dbt import mopac_dbt_models
from pipelines.defs.resources import WarehouseResource
from pipelines.publish import publish


@dg.asset(key=["published", "mopac_marts"], group_name="published", kinds={"duckdb", "parquet"},
          deps=[mopac_dbt_models],
          description="marts.* copied to <warehouse>/published/mopac_marts.duckdb and parquet/<table>.parquet, "
                      "swapped in atomically. Runs only after the dbt build and its blocking tests pass.")
def published_marts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    result = publish(settings.warehouse_db, settings.published_dir)
    return dg.MaterializeResult(metadata={"build_id": result.build_id, "database": str(result.database),
                                          **{f"rows_{t}": n for t, n in result.tables.items()}})
