"""The victim keys of the synthetic world find its persons: few false links, few missed ones, and
`mopac linkage-quality` reports every pair of the five victim feeds."""
import itertools
import re
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.linkage.quality import OVERALL, measure
from pipelines.warehouse import connect_read_only

FEEDS = ["council_hub", "police_crimes", "probation_vcs", "rj_cases", "uss_responses"]


def test_victim_keys_link_the_true_persons_with_high_precision_and_recall(synthetic_world):
    con = connect_read_only(synthetic_world / "warehouse" / "mopac.duckdb")
    try:
        quality = measure(con, synthetic_world / "ground_truth")
    finally:
        con.close()
    overall = quality.pairwise.filter(feed_a=OVERALL).to_dicts()[0]
    assert overall["true_pairs"] > 0, "a world with no person on two records tests nothing"
    assert overall["precision"] >= 0.99, quality.pairwise
    assert overall["recall"] >= 0.95, quality.pairwise


def test_the_report_prints_every_feed_pair(synthetic_world, monkeypatch):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(synthetic_world / "warehouse"))
    monkeypatch.setenv("MOPAC_LANDING_DIR", str(synthetic_world / "landing"))
    result = CliRunner().invoke(main, ["linkage-quality", "--truth", str(synthetic_world / "ground_truth")])
    assert result.exit_code == 0, result.output
    missing = [(a, b) for a, b in itertools.combinations_with_replacement(FEEDS, 2)
               if not re.search(rf"^\s+{a}\s+{b}\s", result.output, re.MULTILINE)]
    assert not missing, result.output
