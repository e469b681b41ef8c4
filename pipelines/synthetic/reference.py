"""Reference data read from the repository: Met boroughs, BCUs and London LSOAs.

The seeds are read relative to this file so the generator works from any working directory.
City of London (E09000001) is policed by the City of London Police, so neither it nor its
LSOAs ever appear in Met feeds.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
CITY_OF_LONDON = "E09000001"

_BOROUGH_PREFIXES = r"^(city of|london borough of|royal borough of) "
_BOROUGH_SUFFIX = r" upon thames$"


@lru_cache(maxsize=1)
def boroughs() -> pl.DataFrame:
    """borough_code, borough_name, bcu_name for the 32 Met boroughs, in code order."""
    frame = pl.read_csv(SEEDS_DIR / "ref_boroughs.csv", infer_schema_length=0)
    return frame.filter(pl.col("borough_code") != CITY_OF_LONDON).sort("borough_code")


@lru_cache(maxsize=1)
def london_lsoas() -> pl.DataFrame:
    """Every London LSOA (City of London included: it is a London LSOA, just never a Met one)."""
    return pl.read_csv(SEEDS_DIR / "ref_lsoa21_borough.csv", infer_schema_length=0)


@lru_cache(maxsize=1)
def met_lsoas() -> pl.DataFrame:
    """LSOAs a Met crime can be located in, numbered 0..n-1 within each borough."""
    return (
        london_lsoas()
        .filter(pl.col("borough_code") != CITY_OF_LONDON)
        .sort("borough_code", "lsoa21_code")
        .with_columns(lsoa_index=pl.int_range(pl.len()).over("borough_code"))
    )


def borough_match_key(name: pl.Expr) -> pl.Expr:
    """The extracts.md borough matching rule as a normalised key.

    Case, punctuation, `&` vs `and`, the suffix "upon Thames" and a leading "City of",
    "London Borough of" or "Royal Borough of" are ignored.
    """
    key = name.str.to_lowercase().str.replace_all("&", " and ", literal=True)
    key = key.str.replace_all(r"[^a-z0-9 ]", " ").str.replace_all(r"\s+", " ").str.strip_chars()
    return key.str.replace(_BOROUGH_PREFIXES, "").str.replace(_BOROUGH_SUFFIX, "")


@lru_cache(maxsize=1)
def borough_keys() -> pl.DataFrame:
    """Normalised borough name -> borough_code, for resolving delivered borough names."""
    return boroughs().select(
        borough_match_key(pl.col("borough_name")).alias("_borough_key"), "borough_code"
    )


def bcu_of() -> dict[str, str]:
    return dict(zip(boroughs()["borough_code"], boroughs()["bcu_name"]))


def borough_names() -> dict[str, str]:
    return dict(zip(boroughs()["borough_code"], boroughs()["borough_name"]))


def resolved_borough(name: pl.Expr) -> pl.Expr:
    """The GSS code `name` resolves to under the matching rule, else null (as an expression)."""
    mapping = dict(zip(borough_keys()["_borough_key"], borough_keys()["borough_code"]))
    return borough_match_key(name).replace_strict(mapping, default=None)
