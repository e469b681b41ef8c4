"""Reference data maintained outside the project (the bank holiday calendar)."""

import dagster as dg

from pipelines.calendar import bank_holidays as england_and_wales_bank_holidays
from pipelines.calendar import store_bank_holidays
from pipelines.defs.resources import WarehouseResource


@dg.asset(key=["reference", "bank_holidays"], group_name="reference", kinds={"python", "duckdb"},
          description="England and Wales bank holidays from the `holidays` package, for working-day deadlines. "
                      "The table is rewritten only when the calendar changed.")
def bank_holidays(warehouse: WarehouseResource) -> dg.MaterializeResult:
    frame = england_and_wales_bank_holidays()
    with warehouse.connect() as con:
        changed = store_bank_holidays(con, frame)
    return dg.MaterializeResult(metadata={"holidays": frame.height, "changed": changed, "first": str(frame["holiday_date"].min()),
                                          "last": str(frame["holiday_date"].max())})
