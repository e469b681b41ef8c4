"""Probabilistic links (pipelines/linkage/probabilistic.py): each record the reference stage could
not place, against every candidate record, scored by the versioned Splink model. Thin on purpose:
the rules live in the Python module, where they are unit tested. Only the candidates that meet an
unlinked record on a blocking rule leave DuckDB, their tokens hashed to 64 bits (the same pairs,
in a fraction of the memory)."""
from pipelines.linkage.probabilistic import (
    INPUT_SCHEMA, POLICE, SURVEY, blocked_candidates_sql, candidate_filter_sql, compact_columns_sql, predict_links)


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("int_linkage__records").create_view("linkage_records", replace=True)
    dbt.ref("int_linkage__reference_links").create_view("linkage_reference_links", replace=True)
    session.sql(f"""
        create or replace temp view linkage_unlinked as
        select {', '.join(INPUT_SCHEMA)} from linkage_records
        where feed not in ('{POLICE}', '{SURVEY}')
          and coalesce(forename_token, surname_token, dob_token) is not null
          and record_id not in (select record_id from linkage_reference_links where record_id is not null)
    """)
    [(candidate_count,)] = session.execute(
        f"select count(*) from linkage_records where {candidate_filter_sql('linkage_records')}").fetchall()
    unlinked = session.sql(f"select {compact_columns_sql('u')} from linkage_unlinked as u").pl()
    candidates = session.sql(blocked_candidates_sql("linkage_records", "linkage_unlinked")).pl()
    # Splink gets its own in-memory DuckDB: its scratch tables never touch the warehouse.
    return predict_links(unlinked, candidates, candidate_count=candidate_count)
