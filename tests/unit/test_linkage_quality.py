"""Linkage quality figures on hand-made frames whose answer is known, and `mopac linkage-quality` on
a small warehouse file with a stand-in victim keys table (the real model is the lead's)."""
from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.linkage.quality import OVERALL, format_report, quality_of

POLICE, HUB, RJ = "police_crimes", "council_hub", "rj_cases"

# Person p1: two police records, a hub referral and an RJ case; p2: one police record and a hub
# referral; p3: one RJ case. True pairs: p1 = C(4,2) = 6, p2 = 1, p3 = 0 -> 7.
PEOPLE = [("r1", POLICE, "p1"), ("r2", POLICE, "p1"), ("r3", HUB, "p1"), ("r4", RJ, "p1"),
          ("r5", POLICE, "p2"), ("r6", HUB, "p2"), ("r7", RJ, "p3")]


def frame(keys: dict[str, str], people=PEOPLE) -> pl.DataFrame:
    return pl.DataFrame([(rid, feed, keys[rid], person) for rid, feed, person in people],
                        schema=["record_id", "feed", "victim_key", "person_id"], orient="row")


PERFECT = {"r1": "k1", "r2": "k1", "r3": "k1", "r4": "k1", "r5": "k2", "r6": "k2", "r7": "k3"}


def overall(quality) -> dict:
    return quality.pairwise.filter(pl.col("feed_a") == OVERALL).to_dicts()[0]


def pair(quality, feed_a: str, feed_b: str) -> dict:
    [row] = quality.pairwise.filter(feed_a=feed_a, feed_b=feed_b).to_dicts()
    return row


def test_perfect_linkage_scores_one_everywhere():
    quality = quality_of(frame(PERFECT))
    assert overall(quality) == {"feed_a": OVERALL, "feed_b": OVERALL, "true_pairs": 7, "predicted_pairs": 7,
                                "true_positive_pairs": 7, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert quality.clusters.to_dicts()[0] == {
        "predicted_clusters": 3, "true_clusters": 3, "pure_clusters": 3, "complete_persons": 3, "exact_persons": 3,
        "precision": 1.0, "recall": 1.0, "exact_recall": 1.0, "f1": 1.0}


def test_one_false_merge_adds_exactly_its_pairs_to_the_predicted_ones():
    # p3's RJ case put under p2's key: 2 new predicted pairs (with r5 and r6), none true.
    quality = quality_of(frame(PERFECT | {"r7": "k2"}))
    assert (overall(quality)["predicted_pairs"], overall(quality)["true_positive_pairs"]) == (9, 7)
    assert overall(quality)["precision"] == pytest.approx(7 / 9) and overall(quality)["recall"] == 1.0
    assert pair(quality, POLICE, RJ)["predicted_pairs"] == 2 + 1  # r1, r2 with r4; r5 with r7
    assert pair(quality, POLICE, RJ)["precision"] == pytest.approx(2 / 3)
    clusters = quality.clusters.to_dicts()[0]
    assert (clusters["predicted_clusters"], clusters["pure_clusters"], clusters["complete_persons"],
            clusters["exact_persons"]) == (2, 1, 3, 1)
    assert clusters["recall"] == 1.0 and clusters["exact_recall"] == pytest.approx(1 / 3)


def test_one_missed_link_removes_exactly_its_pairs_from_the_true_positives():
    # p1's RJ case under a key of its own: its 3 pairs with p1's other records are missed.
    quality = quality_of(frame(PERFECT | {"r4": "k4"}))
    assert (overall(quality)["true_pairs"], overall(quality)["true_positive_pairs"]) == (7, 4)
    assert overall(quality)["recall"] == pytest.approx(4 / 7) and overall(quality)["precision"] == 1.0
    assert overall(quality)["f1"] == pytest.approx(2 * (4 / 7) / (1 + 4 / 7))
    clusters = quality.clusters.to_dicts()[0]
    assert clusters["precision"] == 1.0 and clusters["recall"] == pytest.approx(2 / 3)


def test_every_feed_pair_has_its_own_exact_row():
    quality = quality_of(frame(PERFECT | {"r4": "k4"}))
    rows = {(r["feed_a"], r["feed_b"]): (r["true_pairs"], r["predicted_pairs"], r["true_positive_pairs"])
            for r in quality.pairwise.to_dicts()}
    assert rows == {
        (HUB, HUB): (0, 0, 0), (HUB, POLICE): (3, 3, 3), (HUB, RJ): (1, 0, 0),
        (POLICE, POLICE): (1, 1, 1), (POLICE, RJ): (2, 0, 0), (RJ, RJ): (0, 0, 0), (OVERALL, OVERALL): (7, 4, 4)}
    assert pair(quality, HUB, RJ)["precision"] is None and pair(quality, HUB, RJ)["recall"] == 0.0
    assert pair(quality, RJ, RJ)["f1"] is None


def test_records_of_unknown_persons_are_left_out_of_the_evaluation_but_not_the_sizes():
    unknown = PEOPLE + [("r8", POLICE, None), ("r9", RJ, None)]
    # Both unknowns under p1's key: were they counted, precision would fall.
    quality = quality_of(frame(PERFECT | {"r8": "k1", "r9": "k1"}, unknown))
    assert overall(quality)["predicted_pairs"] == 7 and overall(quality)["precision"] == 1.0
    assert (quality.records, quality.evaluated_records) == (9, 7)
    assert quality.clusters["pure_clusters"][0] == 3
    assert quality.largest_cluster == 6


def test_size_distribution_counts_clusters_and_records_by_band():
    people = [(f"r{i}", POLICE, f"p{i}") for i in range(26)]
    # Sizes 1, 1, 2, 3, 5, 14: one key per band except 4.
    sizes = [1, 1, 2, 3, 5, 14]
    keys = {f"r{i}": f"k{band}" for band, i in zip([b for b, n in enumerate(sizes) for _ in range(n)], range(26))}
    quality = quality_of(frame(keys, people))
    assert quality.sizes.rows() == [("1", 2, 2), ("2", 1, 2), ("3", 1, 3), ("4", 0, 0), ("5-9", 1, 5),
                                    ("10+", 1, 14)]
    assert quality.largest_cluster == 14


def test_the_report_prints_every_table():
    report = format_report(quality_of(frame(PERFECT | {"r4": "k4"})))
    assert "council_hub    rj_cases" in report and "(all)" in report and "0.5714" in report
    assert "exact_recall" in report and "10+" in report and "largest cluster 3" in report


# The CLI against a file: the tables the command reads, each reduced to the columns it reads.
def small_warehouse(root, *, with_keys: bool = True) -> None:
    (root / "warehouse").mkdir()
    con = duckdb.connect(str(root / "warehouse" / "mopac.duckdb"))
    con.execute("create schema ops; create schema intermediate")
    con.execute("create table ops.file_registry as select 1 as file_id, 'abc' as sha256")
    con.execute("""create table intermediate.int_linkage__records as
                   select 'police_crimes:' || i as record_id, 'police_crimes' as feed, 1 as file_id,
                          i as source_row_number from range(1, 5) as t(i)""")
    if with_keys:  # a stand-in for the lead's model: rows 1-3 one key, row 4 another
        con.execute("""create table intermediate.int_linkage__victim_keys as
                       select record_id, feed, case when source_row_number < 4 then 'k1' else 'k2' end as victim_key
                       from intermediate.int_linkage__records""")
    con.close()
    (root / "truth").mkdir()
    # Rows 1-2 are p1, rows 3-4 are p2: predicted pairs 3, true pairs 2, both 1.
    pl.DataFrame({"feed": ["police_crimes"] * 4, "file_name": ["f.csv"] * 4, "delivery": [1] * 4,
                  "row_number": [1, 2, 3, 4], "person_id": ["p1", "p1", "p2", "p2"]}) \
        .write_parquet(root / "truth" / "records.parquet")
    pl.DataFrame({"feed": ["police_crimes"], "file_name": ["f.csv"], "delivery": [1], "sha256": ["abc"]}) \
        .write_parquet(root / "truth" / "files.parquet")


def test_the_command_prints_the_report_and_writes_the_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    small_warehouse(tmp_path)
    result = CliRunner().invoke(main, ["linkage-quality", "--truth", str(tmp_path / "truth"),
                                       "--json", str(tmp_path / "quality.json")])
    assert result.exit_code == 0, result.output
    assert "police_crimes  police_crimes" in result.output
    figures = json.loads((tmp_path / "quality.json").read_text())
    [row] = [r for r in figures["pairwise"] if r["feed_a"] == OVERALL]
    assert (row["true_pairs"], row["predicted_pairs"], row["true_positive_pairs"]) == (2, 3, 1)
    assert figures["largest_cluster"] == 3 and figures["clusters"]["pure_clusters"] == 1


def test_the_command_says_what_to_run_when_the_linkage_is_not_built(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    small_warehouse(tmp_path, with_keys=False)
    result = CliRunner().invoke(main, ["linkage-quality", "--truth", str(tmp_path / "truth")])
    assert result.exit_code == 1 and "int_linkage__victim_keys" in result.output and "mopac build" in result.output


def test_the_command_says_what_to_run_without_a_warehouse_or_a_truth(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    result = CliRunner().invoke(main, ["linkage-quality", "--truth", str(tmp_path / "truth")])
    assert result.exit_code == 1 and "No warehouse" in result.output and "mopac build" in result.output
    small_warehouse(tmp_path)
    result = CliRunner().invoke(main, ["linkage-quality", "--truth", str(tmp_path / "elsewhere")])
    assert result.exit_code == 1 and "records.parquet" in result.output and "mopac generate" in result.output
