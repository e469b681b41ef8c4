"""Victim keys from links: which person each linkage record belongs to, keyed so that new data never
renumbers existing people (warehouse.md, published interface).

Police victims are the anchors: their key is the keyed token of their victim reference. Any other
record takes the key of the police victim it is linked to (its deterministic link first, else its
most probable Splink match). Records still without one are grouped with the other non-police
records they are linked to (connected components); a group linked to exactly one anchor takes that
anchor's key, otherwise its key derives from the group's first-loaded record (`key_record_id`,
hashed by the caller), which later deliveries cannot change.
"""
from __future__ import annotations

import polars as pl

POLICE = "police_crimes"
PROBABILISTIC = "probabilistic"
UNLINKED = "none"
ANCHOR_METHOD = "victim_ref"

EDGE_SCHEMA = {"record_id": pl.String, "other_record_id": pl.String, "link_method": pl.String,
               "match_probability": pl.Float64, "method_rank": pl.Int64}


def edges(reference_links: pl.DataFrame, probabilistic_links: pl.DataFrame) -> pl.DataFrame:
    """Every link as (record_id -> other_record_id), deterministic ones ranked before Splink's (a
    record Splink scored without a match has a row with none, which is no link)."""
    deterministic = reference_links.select(
        "record_id", other_record_id="linked_record_id", link_method="link_method",
        match_probability=pl.lit(None, pl.Float64), method_rank=pl.lit(0, pl.Int64))
    probabilistic = probabilistic_links.filter(pl.col("matched_record_id").is_not_null()).select(
        "record_id", other_record_id="matched_record_id", link_method=pl.lit(PROBABILISTIC),
        match_probability=pl.col("match_probability").cast(pl.Float64), method_rank=pl.lit(1, pl.Int64))
    return pl.concat([deterministic.cast(EDGE_SCHEMA), probabilistic.cast(EDGE_SCHEMA)])


TIED = "tied_between_victims"
SEVERAL = "linked_to_several_victims"


def _best_police_links(records: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """record_id, keys (how many police victims its best links reach), anchor_key, link_method,
    match_probability: a deterministic link outranks any Splink match."""
    police = records.filter(pl.col("feed") == POLICE).select(other_record_id="record_id", anchor_key="victim_ref_token")
    to_police = links.join(police, on="other_record_id").with_columns(
        score=pl.when(pl.col("method_rank") == 0).then(pl.lit(2.0)).otherwise(pl.col("match_probability")))
    best = to_police.filter(pl.col("score") == pl.col("score").max().over("record_id"))
    return best.group_by("record_id").agg(
        pl.col("anchor_key").n_unique().alias("keys"), pl.col("anchor_key").first(),
        pl.col("link_method").sort_by("method_rank").first(), pl.col("match_probability").max())


def _components(nodes: pl.Series, links: pl.DataFrame) -> pl.DataFrame:
    """record_id -> component (the smallest record_id it is connected to), by label propagation:
    each round is one columnar join, and groups of records of one person are small."""
    pairs = pl.concat([links.select(a="record_id", b="other_record_id"), links.select(a="other_record_id", b="record_id")])
    labels = pl.DataFrame({"record_id": nodes, "component": nodes})
    while True:
        neighbour = (pairs.join(labels, left_on="b", right_on="record_id")
                     .group_by("a").agg(pl.col("component").min().alias("neighbour")))
        updated = (labels.join(neighbour, left_on="record_id", right_on="a", how="left")
                   .select("record_id", component=pl.min_horizontal("component", "neighbour")))
        if updated.join(labels, on=["record_id", "component"], how="anti").is_empty():
            return labels
        labels = updated


def assign(records: pl.DataFrame, reference_links: pl.DataFrame, probabilistic_links: pl.DataFrame) -> pl.DataFrame:
    """record_id, feed, police_victim_key (the anchor's key, when the record reaches one; a survey
    response's own victim reference token otherwise), linked_to_police, key_record_id (else: the
    record whose id the key derives from), link_method, match_probability, and unresolved: why links
    that reach police victims decided nothing (TIED: its best matches are two victims; SEVERAL: its
    group links to more than one), for the review.

    `records`: record_id, feed, victim_ref_token, file_id, source_row_number (int_linkage__records).
    """
    links = edges(reference_links, probabilistic_links)
    police = records.filter(pl.col("feed") == POLICE).select(
        "record_id", "feed", police_victim_key="victim_ref_token", linked_to_police=pl.lit(True),
        link_method=pl.lit(ANCHOR_METHOD),
        match_probability=pl.lit(None, pl.Float64))
    others = records.filter(pl.col("feed") != POLICE)
    best = _best_police_links(records, links)
    # a tie between two victims decides nothing: the record is treated as unanchored
    anchored = best.filter(pl.col("keys") == 1).drop("keys")
    tied = best.filter(pl.col("keys") > 1).select("record_id", unresolved=pl.lit(TIED))

    # Records without an anchor of their own, grouped with the non-police records they link to
    loose = others.join(anchored, on="record_id", how="anti")
    non_police = others.select("record_id")
    among = (links.join(non_police, on="record_id", how="semi")
             .join(non_police, left_on="other_record_id", right_on="record_id", how="semi"))
    both_ways = pl.concat([among, among.with_columns(record_id="other_record_id", other_record_id="record_id")])
    from_loose = both_ways.join(loose.select("record_id"), on="record_id", how="semi")
    within = from_loose.join(loose.select(other_record_id="record_id"), on="other_record_id", how="semi")
    groups = _components(loose.get_column("record_id"), within)

    # A group whose links reach anchored records of exactly one victim takes that victim's key
    reached_anchors = (from_loose.join(anchored.select(other_record_id="record_id", anchor="anchor_key"), on="other_record_id")
                       .join(groups, on="record_id")
                       .group_by("component").agg(pl.col("anchor").n_unique().alias("keys"), pl.col("anchor").first()))
    group_anchor = reached_anchors.filter(pl.col("keys") == 1).drop("keys")
    several = reached_anchors.filter(pl.col("keys") > 1).select("component", unresolved=pl.lit(SEVERAL))
    first_loaded = (loose.join(groups, on="record_id")
                    .sort("file_id", "source_row_number", "record_id")
                    .group_by("component", maintain_order=True).agg(pl.col("record_id").first().alias("key_record_id")))
    own_links = (from_loose.group_by("record_id")
                 .agg(pl.col("link_method").sort_by("method_rank").first(), pl.col("match_probability").max()))
    # A survey response nobody's record matches keeps its own victim reference's token as its key
    person_key = pl.coalesce("anchor", "victim_ref_token")
    loose_keys = (loose.select("record_id", "feed", "victim_ref_token").join(groups, on="record_id")
                  .join(group_anchor, on="component", how="left").join(first_loaded, on="component")
                  .join(own_links, on="record_id", how="left")
                  .join(several, on="component", how="left").join(tied, on="record_id", how="left", suffix="_tie")
                  .select("record_id", "feed", police_victim_key=person_key,
                          linked_to_police=pl.col("anchor").is_not_null(),
                          key_record_id=pl.when(person_key.is_null()).then("key_record_id"),
                          link_method=pl.col("link_method").fill_null(UNLINKED), match_probability="match_probability",
                          unresolved=pl.coalesce("unresolved_tie", "unresolved")))

    anchored_keys = others.select("record_id", "feed").join(anchored, on="record_id").select(
        "record_id", "feed", police_victim_key="anchor_key", linked_to_police=pl.lit(True),
        key_record_id=pl.lit(None, pl.String), link_method="link_method", match_probability="match_probability")
    return pl.concat([police.with_columns(key_record_id=pl.lit(None, pl.String)), anchored_keys, loose_keys],
                     how="diagonal_relaxed").select(
        "record_id", "feed", "police_victim_key", "linked_to_police", "key_record_id", "link_method", "match_probability",
        "unresolved")
