"""Probabilistic links (pipelines/linkage/probabilistic.py): each record the reference stage could
not place, against every candidate record, scored by the versioned Splink model; a build scores only
the pairs its deliveries could change (pipelines/linkage/increments.py). Thin on purpose: the rules
live in the Python modules, where they are unit tested. Only the candidates that meet a record to
link on a blocking rule leave DuckDB, their tokens hashed to 64 bits (the same pairs, in a fraction
of the memory)."""
from pipelines.linkage.increments import has_linkage_state, score
from pipelines.linkage.probabilistic import INPUT_SCHEMA, POLICE, SURVEY, candidate_filter_sql


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="restate", on_schema_change="sync_all_columns")
    # temporary views, gone with dbt's connection (a relation's create_view would keep them in main)
    session.register("linkage_records", dbt.ref("int_linkage__records"))
    session.register("linkage_reference_links", dbt.ref("int_linkage__reference_links"))
    session.register("linkage_file_registry", dbt.ref("stg_ops__file_registry"))
    session.sql(f"""
        create or replace temp view linkage_unlinked as
        select {', '.join(INPUT_SCHEMA)}, file_id from linkage_records
        where feed not in ('{POLICE}', '{SURVEY}')
          and coalesce(forename_token, surname_token, dob_token) is not null
          and record_id not in (select record_id from linkage_reference_links where record_id is not null)
    """)
    [(candidate_count,)] = session.execute(
        f"select count(*) from linkage_records where {candidate_filter_sql('linkage_records')}").fetchall()
    [(as_of_file_id,)] = session.execute("select max(file_id) from linkage_file_registry").fetchall()
    previous = str(dbt.this) if dbt.is_incremental and has_linkage_state(session, dbt.this) else None
    # Splink gets its own in-memory DuckDB: its scratch tables never touch the warehouse.
    return score(session, "linkage_records", "linkage_unlinked", previous,
                 as_of_file_id=as_of_file_id, candidate_count=candidate_count)
