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


def store_bank_holidays(con, frame: pl.DataFrame) -> bool:
    """Make reference.bank_holidays hold `frame`; leave the table alone (and return False) when it
    already holds exactly that, so an unchanged calendar never looks like new input to the build."""
    con.execute("create schema if not exists reference")
    con.register("incoming_holidays", frame.to_arrow())
    try:
        if _bank_holidays_hold("incoming_holidays", con):
            return False
        con.execute("create or replace table reference.bank_holidays as select * from incoming_holidays")
        return True
    finally:
        con.unregister("incoming_holidays")


def _bank_holidays_hold(incoming: str, con) -> bool:
    """Same columns, same types, same rows (as a multiset). Results are fetched whole: DuckDB will not
    unregister a relation that an unfinished result still reads."""
    if not con.execute("select count(*) from information_schema.tables where table_schema = 'reference' "
                       "and table_name = 'bank_holidays'").fetchall()[0][0]:
        return False
    def shape(relation: str) -> list[tuple]:
        return [tuple(r) for r in con.execute(f"select column_name, column_type from (describe {relation})").fetchall()]
    if shape("reference.bank_holidays") != shape(incoming):
        return False
    return con.execute(f"""
        select count(*) from (
            (select * from reference.bank_holidays except all select * from {incoming})
            union all
            (select * from {incoming} except all select * from reference.bank_holidays))""").fetchall() == [(0,)]
