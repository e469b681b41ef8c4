"""Reference data maintained outside the project (the bank holiday calendar)."""

import dagster as dg

from pipelines.calendar import bank_holidays as england_and_wales_bank_holidays
from pipelines.calendar import replace_bank_holidays
from pipelines.defs.resources import WarehouseResource


@dg.asset(key=["reference", "bank_holidays"], group_name="reference", kinds={"python", "duckdb"},
          description="England and Wales bank holidays from the `holidays` package, for working-day deadlines.")
def bank_holidays(warehouse: WarehouseResource) -> dg.MaterializeResult:
    frame = england_and_wales_bank_holidays()
    with warehouse.connect() as con:
        rows = replace_bank_holidays(con, frame)
    return dg.MaterializeResult(metadata={"holidays": rows, "first": str(frame["holiday_date"].min()),
                                          "last": str(frame["holiday_date"].max())})
