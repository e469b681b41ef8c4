"""The stages of a build, named by Dagster step: the ingest of each feed (one asset per contract), dbt,
publish. `mopac build`'s progress lines and `mopac benchmark`'s timings use the same names."""
from __future__ import annotations

from functools import cache

DBT = "dbt"
PUBLISH = "publish"


def ingest_stage(feed: str) -> str:
    return f"ingest {feed}"


@cache
def stages_by_step() -> dict[str, str]:
    """Step key -> stage, from the definitions themselves (a new contract's asset is picked up)."""
    from pipelines.defs.dbt import mopac_dbt_models
    from pipelines.defs.ingest import ingest_assets
    from pipelines.defs.publish import published_marts

    stages = {asset.op.name: ingest_stage(asset.key.path[-1]) for asset in ingest_assets}
    stages[mopac_dbt_models.op.name] = DBT
    stages[published_marts.op.name] = PUBLISH
    return stages
