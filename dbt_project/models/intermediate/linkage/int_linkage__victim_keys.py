"""Each linkage record's victim_key and how it was linked (pipelines/linkage/victim_keys.py).

A police victim's key is the keyed token of its victim reference; a person known only to other feeds
gets a SHA-256 of the id of their first-loaded record, cut to a token's length (record ids hold case
references already in the warehouse in clear, so the hash reveals nothing new), so that new data
never renumbers anyone.

Incremental on record_id: a police victim's row follows from its record alone, so a build writes
only the police victims new since the last one (and those other records link to, for their keys);
every other record's key is worked out again (they are a few per cent of the records), and the
post-hook drops the records linkage no longer holds.
"""
import polars as pl

from pipelines.linkage.victim_keys import POLICE, assign

KEY_PREFIX = "mopac victim key v1:"
# As long as a police victim's key, a token: pseudonymise.TOKEN_HEX_CHARACTERS, not imported because that
# module brings Pandera into dbt's process; test_linkage_keys checks that every key has this length.
KEY_CHARACTERS = 32


def model(dbt, session):
    # the post-hook that drops withdrawn records is in _linkage__models.yml
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="record_id",
               on_schema_change="fail")
    session.register("victim_key_records", dbt.ref("int_linkage__records"))  # a temporary view
    reference_links = dbt.ref("int_linkage__reference_links").pl()
    probabilistic_links = dbt.ref("int_linkage__probabilistic_links").pl()
    link_targets = pl.concat([reference_links.select(record_id="linked_record_id"),
                              probabilistic_links.select(record_id="matched_record_id")]).drop_nulls().unique()
    police_to_write = f"record_id not in (select record_id from {dbt.this})" if dbt.is_incremental else "true"
    records = session.sql(f"""
        select record_id, feed, victim_ref_token, file_id, source_row_number from victim_key_records
        where feed <> '{POLICE}' or {police_to_write} or record_id in (select record_id from link_targets)
    """).pl()
    assigned = assign(records, reference_links, probabilistic_links)
    return session.sql(f"""
        select
            record_id,
            feed,
            coalesce(police_victim_key, left(sha256('{KEY_PREFIX}' || key_record_id), {KEY_CHARACTERS})) as victim_key,
            linked_to_police,
            link_method,
            match_probability,
            unresolved
        from assigned
    """).pl()
