"""Monthly police-victim volumes per borough and offence, from the real London Datastore counts.

The two calibration files overlap nothing (historical: 2010-04..2024-02, current: 2024-03..
2026-02) but the newest file still wins for any month both hold. A month outside the range takes
the same calendar month of the nearest available year. Categories with no individual victim
(drugs, weapons, crimes against society, NFIB fraud) map to no offence group and are dropped;
vehicle offences count as Theft, as in the spec README.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.synthetic.reference import boroughs

CALIBRATION_DIR = Path(__file__).resolve().parent / "calibration"
# Newest first: the first file holding a month wins.
CALIBRATION_FILES = ("recorded-crime-borough.csv", "recorded-crime-borough-historical.csv")

OFFENCE_GROUP_OF_MAJOR = {
    "BURGLARY": "Burglary",
    "VIOLENCE AGAINST THE PERSON": "Violence Against the Person",
    "ROBBERY": "Robbery",
    "SEXUAL OFFENCES": "Sexual Offences",
    "THEFT": "Theft",
    "VEHICLE OFFENCES": "Theft",
    "ARSON AND CRIMINAL DAMAGE": "Criminal Damage and Arson",
    "PUBLIC ORDER OFFENCES": "Public Order Offences",
    "FRAUD AND FORGERY": "Other",
}

# The police system's subgroup wording for each London Datastore minor category. Older and newer
# names of the same category (e.g. DOMESTIC BURGLARY) share a subgroup.
OFFENCE_SUBGROUP_OF_MINOR = {
    "ARSON": "Arson",
    "CRIMINAL DAMAGE": "Criminal Damage",
    "BURGLARY - RESIDENTIAL": "Burglary - Residential",
    "DOMESTIC BURGLARY": "Burglary - Residential",
    "RES BURGLARY OF A HOME": "Burglary - Residential",
    "RES BURGLARY OF UNCONNECTED BUILDING": "Burglary - Residential (Unconnected Building)",
    "BURGLARY BUSINESS AND COMMUNITY": "Burglary - Business and Community",
    "FRAUD AND FORGERY": "Fraud and Forgery",
    "OTHER OFFENCES PUBLIC ORDER": "Other Offences Against the State or Public Order",
    "PUBLIC FEAR ALARM OR DISTRESS": "Public Fear, Alarm or Distress",
    "RACE OR RELIGIOUS AGG PUBLIC FEAR": "Racially or Religiously Aggravated Public Fear",
    "VIOLENT DISORDER": "Violent Disorder",
    "ROBBERY OF BUSINESS PROPERTY": "Robbery of Business Property",
    "ROBBERY OF PERSONAL PROPERTY": "Robbery of Personal Property",
    "OTHER SEXUAL OFFENCES": "Other Sexual Offences",
    "RAPE": "Rape",
    "BICYCLE THEFT": "Bicycle Theft",
    "OTHER THEFT": "Other Theft",
    "SHOPLIFTING": "Shoplifting",
    "THEFT FROM THE PERSON": "Theft from the Person",
    "AGGRAVATED VEHICLE TAKING": "Aggravated Vehicle Taking",
    "INTERFERING WITH A MOTOR VEHICLE": "Interfering with a Motor Vehicle",
    "THEFT FROM A VEHICLE": "Theft from a Motor Vehicle",
    "THEFT OR UNAUTH TAKING OF A MOTOR VEH": "Theft or Taking of a Motor Vehicle",
    "DEATH SERIOUS INJURY ILLEGAL DRIVING": "Death or Serious Injury by Unlawful Driving",
    "HOMICIDE": "Homicide",
    "STALKING AND HARASSMENT": "Stalking and Harassment",
    "VIOLENCE WITH INJURY": "Violence with Injury",
    "VIOLENCE WITHOUT INJURY": "Violence without Injury",
}


@lru_cache(maxsize=1)
def monthly_counts() -> pl.DataFrame:
    """Long counts: month (YYYYMM int), borough_code, offence_group, offence_subgroup, count."""
    names = boroughs().select(pl.col("borough_name").alias("boroughname"), "borough_code")
    frames, seen_months = [], set()
    for file_name in CALIBRATION_FILES:
        wide = pl.read_csv(CALIBRATION_DIR / file_name, infer_schema_length=0)
        months = [c for c in wide.columns if c.isdigit() and c not in seen_months]
        seen_months.update(months)
        long = wide.unpivot(index=["majortext", "minortext", "boroughname"], on=months, variable_name="month")
        frames.append(long.with_columns(pl.col("month").cast(pl.Int64), pl.col("value").cast(pl.Int64)))
    counts = (
        pl.concat(frames)
        .filter(pl.col("majortext").is_in(list(OFFENCE_GROUP_OF_MAJOR)))
        .join(names, on="boroughname", how="inner")
        .with_columns(
            offence_group=pl.col("majortext").replace_strict(OFFENCE_GROUP_OF_MAJOR),
            offence_subgroup=pl.col("minortext").replace_strict(OFFENCE_SUBGROUP_OF_MINOR),
        )
    )
    return (
        counts.group_by("month", "borough_code", "offence_group", "offence_subgroup")
        .agg(count=pl.col("value").fill_null(0).sum())
        .sort("month", "borough_code", "offence_group", "offence_subgroup")
    )


def calibration_month(year: int, month: int) -> int:
    """The YYYYMM whose counts stand for (year, month): itself, else same month, nearest year."""
    available = set(monthly_counts()["month"].unique().to_list())
    wanted = year * 100 + month
    if wanted in available:
        return wanted
    same_month = [m for m in available if m % 100 == month]
    return min(same_month, key=lambda m: (abs(m // 100 - year), -m))


def counts_for(year: int, month: int) -> pl.DataFrame:
    """borough_code, offence_group, offence_subgroup, count for the month (calibrated)."""
    source = calibration_month(year, month)
    return monthly_counts().filter(pl.col("month") == source).drop("month")
