"""England and Wales bank holidays from the maintained `holidays` package, for the working-day
calendar (metrics.md: working days are Monday-Friday except bank holidays in England and Wales)."""
from __future__ import annotations

import holidays
import polars as pl

CALENDAR_YEARS = range(2010, 2036)  # matches calendar_start/calendar_end in dbt_project.yml


def bank_holidays(years: range = CALENDAR_YEARS) -> pl.DataFrame:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return pl.DataFrame(
        {"holiday_date": list(calendar.keys()), "holiday_name": list(calendar.values())},
        schema={"holiday_date": pl.Date, "holiday_name": pl.String},
    ).sort("holiday_date")


def replace_bank_holidays(con, frame: pl.DataFrame) -> int:
    con.execute("create schema if not exists reference")
    con.register("incoming_holidays", frame.to_arrow())
    try:
        con.execute("create or replace table reference.bank_holidays as select * from incoming_holidays")
    finally:
        con.unregister("incoming_holidays")
    return frame.height
