"""Probabilistic links (pipelines/linkage/probabilistic.py): each record the reference stage could
not place, against every candidate record, scored by the versioned Splink model. Thin on purpose:
the rules live in the Python module, where they are unit tested."""
import polars as pl

from pipelines.linkage.probabilistic import POLICE, SURVEY, TOKEN_COLUMNS, predict_links

NAME_OR_DOB = ("forename_token", "surname_token", "dob_token")


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_linkage__records").pl()
    placed = dbt.ref("int_linkage__reference_links").pl().select("record_id").drop_nulls().unique()
    unlinked = (
        records.filter(~pl.col("feed").is_in([POLICE, SURVEY]))
        .filter(pl.any_horizontal(pl.col(column).is_not_null() for column in NAME_OR_DOB))
        .join(placed, on="record_id", how="anti")
    )
    candidates = records.filter(pl.col("feed") != SURVEY).filter(
        pl.any_horizontal(pl.col(column).is_not_null() for column in TOKEN_COLUMNS))
    # Splink gets its own in-memory DuckDB: its scratch tables never touch the warehouse.
    return predict_links(unlinked, candidates)
