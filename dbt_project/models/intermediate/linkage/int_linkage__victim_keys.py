"""Each linkage record's victim_key and how it was linked (pipelines/linkage/victim_keys.py).

A police victim's key is the keyed token of its victim reference; a person known only to other feeds
gets a SHA-256 of the id of their first-loaded record (record ids hold case references already in
the warehouse in clear, so the hash reveals nothing new), so that new data never renumbers anyone.
"""
from pipelines.linkage.victim_keys import assign

KEY_PREFIX = "mopac victim key v1:"


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_linkage__records").select(
        "record_id, feed, victim_ref_token, file_id, source_row_number").pl()
    reference_links = dbt.ref("int_linkage__reference_links").pl()
    probabilistic_links = dbt.ref("int_linkage__probabilistic_links").pl()
    assigned = assign(records, reference_links, probabilistic_links)
    return session.sql(f"""
        select
            record_id,
            feed,
            coalesce(police_victim_key, sha256('{KEY_PREFIX}' || key_record_id)) as victim_key,
            linked_to_police,
            link_method,
            match_probability,
            unresolved
        from assigned
    """).pl()
