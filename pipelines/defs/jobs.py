"""The build: every asset, in dependency order. `mopac build`, the landing sensor and the UI's
'Materialize all' run this same graph."""
import dagster as dg

BUILD_JOB_NAME = "build_warehouse"

build_warehouse = dg.define_asset_job(
    BUILD_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest new landing files, build and test the warehouse with dbt, publish the marts.",
)
