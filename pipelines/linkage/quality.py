"""How well the victim keys of a warehouse built from a synthetic world match the true persons.

The evaluation frame has one row per linkage record: record_id, feed, victim_key, person_id. Records
whose person the generator does not know (person_id null) are left out of the pairwise and cluster
figures: neither a link nor a missed link can be judged for them. The size distribution describes
the linkage itself, so it counts every record.

Pairs are counted from group sizes (n choose 2 within a feed, n_a * n_b across two feeds), never
enumerated: a world at real volume has millions of records and a bad linkage can make one key hold
thousands of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.linkage.truth import RECORDS_TABLE, record_persons

VICTIM_KEYS_TABLE = "intermediate.int_linkage__victim_keys"
OVERALL = "(all)"
SIZE_BANDS = ["1", "2", "3", "4", "5-9", "10+"]


@dataclass(frozen=True)
class LinkageQuality:
    """pairwise: feed_a, feed_b (feed_a <= feed_b, then an OVERALL row), true_pairs, predicted_pairs,
    true_positive_pairs, precision, recall, f1. clusters: one row. sizes: size_band, clusters, records."""
    pairwise: pl.DataFrame
    clusters: pl.DataFrame
    sizes: pl.DataFrame
    largest_cluster: int
    records: int
    evaluated_records: int

    def to_dict(self) -> dict:
        return {"records": self.records, "evaluated_records": self.evaluated_records,
                "largest_cluster": self.largest_cluster, "pairwise": self.pairwise.to_dicts(),
                "clusters": self.clusters.to_dicts()[0], "sizes": self.sizes.to_dicts()}


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))


def _f1(precision: str, recall: str) -> pl.Expr:
    # Harmonic mean; null when either side is undefined, 0 (not a division by zero) when both are 0.
    p, r = pl.col(precision), pl.col(recall)
    return pl.when(p.is_null() | r.is_null()).then(None).when(p + r == 0).then(0.0).otherwise(2 * p * r / (p + r))


def _pairs(frame: pl.DataFrame, key: list[str], name: str) -> pl.DataFrame:
    """Pairs of records sharing `key`, by feed pair: joining a key's per-feed counts with
    themselves gives at most 25 rows per key (five feeds), whatever the key's size."""
    counts = frame.group_by(*key, "feed").agg(n=pl.len().cast(pl.Int64))
    return (
        counts.join(counts, on=key, suffix="_b")
        .filter(pl.col("feed") <= pl.col("feed_b"))
        .group_by(feed_a="feed", feed_b="feed_b")
        .agg(pl.when(pl.col("feed") == pl.col("feed_b")).then(pl.col("n") * (pl.col("n") - 1) // 2)
             .otherwise(pl.col("n") * pl.col("n_b")).sum().alias(name))
    )


def pairwise_quality(frame: pl.DataFrame) -> pl.DataFrame:
    """Every pair of feeds present (empty pairs included, so a feed pair never linked still shows),
    then the OVERALL row."""
    frame = frame.filter(pl.col("person_id").is_not_null())
    feeds = frame.select(pl.col("feed").unique())
    grid = feeds.join(feeds, how="cross", suffix="_b").filter(pl.col("feed") <= pl.col("feed_b")) \
        .select(feed_a="feed", feed_b="feed_b")
    counts = grid
    for key, name in ((["person_id"], "true_pairs"), (["victim_key"], "predicted_pairs"),
                      (["person_id", "victim_key"], "true_positive_pairs")):
        counts = counts.join(_pairs(frame, key, name), on=["feed_a", "feed_b"], how="left")
    counts = counts.with_columns(pl.col("true_pairs", "predicted_pairs", "true_positive_pairs").fill_null(0)) \
        .sort("feed_a", "feed_b")
    overall = counts.select(pl.lit(OVERALL).alias("feed_a"), pl.lit(OVERALL).alias("feed_b"),
                            pl.col("true_pairs", "predicted_pairs", "true_positive_pairs").sum())
    return (
        pl.concat([counts, overall])
        .with_columns(precision=_ratio("true_positive_pairs", "predicted_pairs"),
                      recall=_ratio("true_positive_pairs", "true_pairs"))
        .with_columns(f1=_f1("precision", "recall"))
    )


def cluster_quality(frame: pl.DataFrame) -> pl.DataFrame:
    """One row. A predicted cluster (victim key) is pure when all its records are one person's; a
    person is complete when all their records share one key, and exact when that key is also pure.
    precision = pure / keys, recall = complete / persons, exact_recall = exact / persons, f1 of the
    first two."""
    frame = frame.filter(pl.col("person_id").is_not_null())
    keys = frame.group_by("victim_key").agg(pure=pl.col("person_id").n_unique() == 1)
    persons = frame.group_by("person_id").agg(complete=pl.col("victim_key").n_unique() == 1,
                                              victim_key=pl.col("victim_key").first())
    persons = persons.join(keys, on="victim_key", how="left").with_columns(exact=pl.col("complete") & pl.col("pure"))
    counts = pl.DataFrame({
        "predicted_clusters": [keys.height], "true_clusters": [persons.height],
        "pure_clusters": [int(keys["pure"].sum())], "complete_persons": [int(persons["complete"].sum())],
        "exact_persons": [int(persons["exact"].sum())],
    })
    return counts.with_columns(
        precision=_ratio("pure_clusters", "predicted_clusters"),
        recall=_ratio("complete_persons", "true_clusters"),
        exact_recall=_ratio("exact_persons", "true_clusters"),
    ).with_columns(f1=_f1("precision", "recall"))


def size_distribution(frame: pl.DataFrame) -> pl.DataFrame:
    """size_band, clusters, records for every band of SIZE_BANDS (zeros included)."""
    sizes = frame.group_by("victim_key").agg(size=pl.len().cast(pl.Int64))
    band = (pl.when(pl.col("size") >= 10).then(pl.lit("10+")).when(pl.col("size") >= 5).then(pl.lit("5-9"))
            .otherwise(pl.col("size").cast(pl.String)))
    counted = sizes.group_by(size_band=band).agg(clusters=pl.len().cast(pl.Int64), records=pl.col("size").sum())
    return pl.DataFrame({"size_band": SIZE_BANDS}).join(counted, on="size_band", how="left", maintain_order="left") \
        .with_columns(pl.col("clusters", "records").fill_null(0))


def quality_of(frame: pl.DataFrame) -> LinkageQuality:
    """Every figure of one evaluation frame (record_id, feed, victim_key, person_id)."""
    largest = frame.group_by("victim_key").len()["len"].max()
    return LinkageQuality(pairwise=pairwise_quality(frame), clusters=cluster_quality(frame),
                          sizes=size_distribution(frame), largest_cluster=int(largest or 0),
                          records=frame.height, evaluated_records=frame["person_id"].count())


def evaluation_frame(con: duckdb.DuckDBPyConnection, truth_dir: Path, victim_keys_table: str = VICTIM_KEYS_TABLE,
                     records_table: str = RECORDS_TABLE) -> pl.DataFrame:
    """The victim key and true person of every record; a record record_persons cannot place keeps a
    null person (and so stays out of the evaluation) rather than disappearing from the sizes."""
    keys = con.sql(f"select record_id, feed, victim_key from {victim_keys_table}").pl()
    persons = record_persons(con, truth_dir, records_table=records_table).select("record_id", "person_id")
    return keys.join(persons, on="record_id", how="left")


def measure(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> LinkageQuality:
    return quality_of(evaluation_frame(con, truth_dir))


def _table(frame: pl.DataFrame) -> str:
    """Plain aligned text: rates to 4 places, counts with thousands separators, null as '-'."""
    def cell(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.4f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    rows = [frame.columns] + [[cell(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(frame.columns))]
    left = [dtype == pl.String for dtype in frame.dtypes]
    return "\n".join("  " + "  ".join(c.ljust(w) if l else c.rjust(w) for c, w, l in zip(row, widths, left))
                     for row in rows)


def format_report(quality: LinkageQuality) -> str:
    unknown = quality.records - quality.evaluated_records
    return "\n".join([
        f"Linkage quality: {quality.records:,} records, {quality.evaluated_records:,} with a known person "
        f"({unknown:,} left out of the pairwise and cluster figures)",
        "", "Pairwise, by feed pair:", _table(quality.pairwise),
        "", "Clusters (victim keys against persons):", _table(quality.clusters),
        "", f"Cluster sizes (every record; largest cluster {quality.largest_cluster:,}):", _table(quality.sizes),
    ])
