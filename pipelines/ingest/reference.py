"""Reference lists the validation rules need, read from the dbt seeds (one copy of each list)."""
from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from pipelines.ingest.normalise import borough_match_key
from pipelines.settings import SEEDS_DIR
from schemas.pandera_schema import RuleContext


@cache
def borough_lookup() -> pl.DataFrame:
    """borough match key -> GSS code, for the 32 Met boroughs."""
    boroughs = pl.read_csv(SEEDS_DIR / "ref_boroughs.csv")
    return boroughs.select(borough_match_key(pl.col("borough_name")).alias("borough_key"), "borough_code")


@cache
def lsoa_borough_lookup() -> pl.DataFrame:
    """LSOA code (2011 or 2021) -> GSS code of its London borough (City of London included)."""
    lsoa21 = pl.read_csv(SEEDS_DIR / "ref_lsoa21_borough.csv").rename({"lsoa21_code": "lsoa_code"})
    lsoa11 = pl.read_csv(SEEDS_DIR / "ref_lsoa11_borough.csv").rename({"lsoa11_code": "lsoa_code"})
    return pl.concat([lsoa21, lsoa11]).unique("lsoa_code", keep="first")


@cache
def london_lsoa21() -> frozenset[str]:
    return frozenset(pl.read_csv(SEEDS_DIR / "ref_lsoa21_borough.csv")["lsoa21_code"].to_list())


def rule_context(period_month: date | None) -> RuleContext:
    return RuleContext(period_month, frozenset(borough_lookup()["borough_key"].to_list()), london_lsoa21())
