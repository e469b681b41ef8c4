"""Non-blocking checks on every ingest asset: is the feed's latest delivery on time, and is each
series' latest delivery of its usual size? The rules are pipelines/delivery_checks.py."""

from datetime import datetime, timezone

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.delivery_checks import freshness, volume_outliers
from pipelines.ingest.registry import ensure_tables
from schemas.contract import FeedContract, load_contracts


def build_freshness_check(contract: FeedContract) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(["raw", contract.feed]), name="delivery_on_time", blocking=False,
                    description=f"The file after the latest is due {contract.due_days} days after its month ends "
                                "(schemas/contracts: due_days).")
    def delivery_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            ensure_tables(con)
            [(latest,)] = con.execute("select max(coalesce(period_month, snapshot_date)) from ops.file_registry "
                                      "where feed = ? and status = 'loaded'", [contract.feed]).fetchall()
        result = freshness(latest, contract.delivery, contract.due_days, datetime.now(timezone.utc).date())
        return dg.AssetCheckResult(passed=result.on_time, severity=dg.AssetCheckSeverity.WARN,
                                   description=result.description)

    return delivery_on_time


def build_volume_check(contract: FeedContract) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(["raw", contract.feed]), name="delivery_of_usual_size", blocking=False,
                    description="Each series' latest delivery is within half to twice the median of its recent "
                                "deliveries (rows received).")
    def delivery_of_usual_size(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            ensure_tables(con)
            deliveries = con.execute("select period_key, file_name, rows_received from ops.file_registry "
                                     "where feed = ? and status = 'loaded'", [contract.feed]).fetchall()
        outliers = volume_outliers(deliveries)
        return dg.AssetCheckResult(passed=not outliers, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"unusual_deliveries": [o.describe() for o in outliers][:20]})

    return delivery_of_usual_size


feed_checks = [
    *[build_freshness_check(c) for c in load_contracts().values() if c.due_days is not None],
    *[build_volume_check(c) for c in load_contracts().values()],
]
