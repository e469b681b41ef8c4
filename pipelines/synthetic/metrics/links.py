"""Deterministic links from other feeds to loaded police crimes.

Borough attribution and linkage metrics use exact matches on delivered references only: a
crime_ref equal to a loaded police_crimes row's crime_ref, or a URN equal to a loaded charge's URN
in police_outcomes whose crime_ref is a loaded police crime. The warehouse may link more (e.g.
probabilistically on names); these expected values are what the deterministic links give.
"""

from __future__ import annotations

import polars as pl


def crime_boroughs(police: pl.DataFrame) -> pl.DataFrame:
    """crime_ref -> borough_code of loaded police crimes (victims of one crime share a borough)."""
    return police.select("crime_ref", "borough_code").unique("crime_ref", keep="first").sort("crime_ref")


def urn_crimes(charges: pl.DataFrame, police: pl.DataFrame) -> pl.DataFrame:
    """urn -> crime_ref for loaded charges of loaded police crimes."""
    crimes = police.select("crime_ref").unique()
    return (
        charges.filter(pl.col("urn").is_not_null())
        .select("urn", "crime_ref")
        .join(crimes, on="crime_ref", how="semi")
        .unique("urn", keep="first")
        .sort("urn")
    )


def borough_by_crime_ref(frame: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    return frame.join(boroughs, on="crime_ref", how="left", maintain_order="left")


def borough_by_urn(frame: pl.DataFrame, urns: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    linked = urns.join(boroughs, on="crime_ref", how="inner").select("urn", "borough_code")
    return frame.join(linked, on="urn", how="left", maintain_order="left")
