"""Recorded crime context (PUB_*) from the real public files: a warehouse built from a few of
../shared/data/open's files, landed as the contracts name them, publishes the counts worked out by
hand from the same files, for a borough, a BCU and London."""
import datetime as dt

import polars as pl
import pytest

from tests.integration.build_helpers import OPEN_DATA, build, isolated_environment, land_open_data, query

REFERENCE = OPEN_DATA.parent / "reference"
# A Met month with its outcomes file (which must not count), a City of London Police month (its
# crimes in the City count in London only; a few lie in Met boroughs), and a London Datastore download.
POLICE_UK = ["2024-01-metropolitan-street.csv", "2024-01-metropolitan-outcomes.csv", "2023-01-city-of-london-street.csv"]
MPS_DOWNLOADS = {"recorded-crime-borough.csv": "2026-03-02"}
WESTMINSTER, ISLINGTON, CAMDEN = "E09000033", "E09000019", "E09000007"
# Basic Command Units as in dbt_project/seeds/ref_boroughs.csv.
CENTRAL_WEST = {WESTMINSTER, "E09000020", "E09000013"}  # with Kensington and Chelsea, Hammersmith and Fulham
CENTRAL_NORTH = {CAMDEN, ISLINGTON}

# Worked out from the files alone with Polars (hand_worked_police_uk and hand_worked_mps below, which
# the last test runs again): (metric, month, level, borough, BCU) -> count.
# PUB_RECORDED_CRIMES: street file rows with a Crime ID, an exact duplicate row once (the contract
# quarantines the copies), the borough from the LSOA by the ONS lookups (2021 code, else 2011); an
# LSOA outside London counts nowhere, a row with no location in London only. Met 2024-01: 5,082
# rows, 5,060 distinct, all with a Crime ID, 2 outside London (33 with no location). City 2023-01:
# 719 rows, 704 distinct, 663 with a Crime ID (42 with no location), none outside London.
# PUB_RECORDED_CRIMES_MPS: the 202403 column summed over boroughname rows by GSS code (the Unknown
# row's 1,535 in London only).
EXPECTED = {
    ("PUB_RECORDED_CRIMES", dt.date(2024, 1, 1), "london", None, None): 5058,
    ("PUB_RECORDED_CRIMES", dt.date(2024, 1, 1), "bcu", None, "Central West"): 524,
    ("PUB_RECORDED_CRIMES", dt.date(2024, 1, 1), "borough", WESTMINSTER, "Central West"): 282,
    ("PUB_RECORDED_CRIMES", dt.date(2023, 1, 1), "london", None, None): 663,
    ("PUB_RECORDED_CRIMES", dt.date(2023, 1, 1), "bcu", None, "Central North"): 17,
    ("PUB_RECORDED_CRIMES", dt.date(2023, 1, 1), "borough", ISLINGTON, "Central North"): 10,
    ("PUB_RECORDED_CRIMES_MPS", dt.date(2024, 3, 1), "london", None, None): 77049,
    ("PUB_RECORDED_CRIMES_MPS", dt.date(2024, 3, 1), "bcu", None, "Central North"): 5774,
    ("PUB_RECORDED_CRIMES_MPS", dt.date(2024, 3, 1), "borough", CAMDEN, "Central North"): 3558,
}


@pytest.fixture(scope="module")
def public_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("public")
    land_open_data(root / "landing", POLICE_UK, MPS_DOWNLOADS)
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        build()
    return root / "warehouse" / "mopac.duckdb"


def test_public_counts_equal_the_hand_worked_figures(public_warehouse):
    found = {}
    for metric_id, month, level, borough, bcu, numerator, denominator, value in query(public_warehouse, """
            select metric_id, period_month, geography_level, borough_code, bcu_name, numerator, denominator, value
            from marts.metric_values where metric_id like 'PUB_%' and breakdown is null"""):
        assert denominator is None and value == numerator  # a count
        found[(metric_id, month, level, borough, bcu)] = numerator
    assert {key: found.get(key) for key in EXPECTED} == EXPECTED


def test_city_of_london_crimes_count_in_london_in_no_borough(public_warehouse):
    boroughs = {code for (code,) in query(public_warehouse, """
        select distinct borough_code from marts.metric_values where metric_id = 'PUB_RECORDED_CRIMES'""")}
    assert "E09000001" not in boroughs


def lsoa_boroughs() -> pl.DataFrame:
    lsoa21 = pl.read_csv(REFERENCE / "london_lsoa21_borough.csv").select(lsoa=pl.col("LSOA21CD"), borough=pl.col("LADCD"))
    lsoa11 = pl.read_csv(REFERENCE / "london_lsoa11_ward_borough.csv").select(lsoa=pl.col("LSOA11CD"), borough=pl.col("LAD19CD"))
    return pl.concat([lsoa21, lsoa11]).unique("lsoa", keep="first")


def hand_worked_police_uk(file_name: str, month: dt.date, borough: str, bcu: str, bcu_boroughs: set[str]) -> dict:
    crimes = (pl.read_csv(OPEN_DATA / "police_uk" / file_name, infer_schema=False).unique()
              .filter(pl.col("Crime ID").is_not_null())
              .join(lsoa_boroughs(), left_on="LSOA code", right_on="lsoa", how="left"))
    in_london = crimes.filter(pl.col("LSOA code").is_null() | pl.col("borough").is_not_null())
    return {
        ("PUB_RECORDED_CRIMES", month, "london", None, None): in_london.height,
        ("PUB_RECORDED_CRIMES", month, "bcu", None, bcu): crimes.filter(pl.col("borough").is_in(bcu_boroughs)).height,
        ("PUB_RECORDED_CRIMES", month, "borough", borough, bcu): crimes.filter(pl.col("borough") == borough).height,
    }


def hand_worked_mps(column: str, month: dt.date) -> dict:
    names = pl.read_csv(REFERENCE / "london_boroughs_gss.csv").select(name=pl.col("LADNM"), borough=pl.col("LADCD"))
    counts = (pl.read_csv(OPEN_DATA / "mps_recorded_crime" / "recorded-crime-borough.csv", infer_schema=False)
              .select("boroughname", count=pl.col(column).cast(pl.Int64))
              .join(names, left_on="boroughname", right_on="name", how="left"))
    return {
        ("PUB_RECORDED_CRIMES_MPS", month, "london", None, None): counts["count"].sum(),
        ("PUB_RECORDED_CRIMES_MPS", month, "bcu", None, "Central North"):
            counts.filter(pl.col("borough").is_in(CENTRAL_NORTH))["count"].sum(),
        ("PUB_RECORDED_CRIMES_MPS", month, "borough", CAMDEN, "Central North"):
            counts.filter(pl.col("borough") == CAMDEN)["count"].sum(),
    }


def test_the_hand_worked_figures_still_follow_from_the_files():
    worked = {
        **hand_worked_police_uk("2024-01-metropolitan-street.csv", dt.date(2024, 1, 1), WESTMINSTER, "Central West", CENTRAL_WEST),
        **hand_worked_police_uk("2023-01-city-of-london-street.csv", dt.date(2023, 1, 1), ISLINGTON, "Central North", CENTRAL_NORTH),
        **hand_worked_mps("202403", dt.date(2024, 3, 1)),
    }
    assert worked == EXPECTED
