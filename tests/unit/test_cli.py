"""The `mopac` command as a person uses it."""
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipelines.cli import main


def test_generate_writes_every_feed_and_keeps_the_ground_truth_out_of_the_landing_folder(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--months", "1", "--scale", "0.01", "--seed", "5",
                                       "--out", str(tmp_path / "landing")])
    assert result.exit_code == 0, result.output
    feeds = sorted(p.name for p in (tmp_path / "landing").iterdir())
    assert feeds == ["council_hub", "court_hearings", "police_crimes", "police_outcomes", "probation_vcs",
                     "rj_cases", "uss_responses"]
    assert (tmp_path / "ground_truth" / "metrics.parquet").exists()
    assert not [p for p in (tmp_path / "landing").rglob("*") if p.suffix in (".parquet", ".json")]


def test_status_without_a_warehouse_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 0 and "No warehouse yet" in result.output and "mopac build" in result.output


def test_prod_without_a_pseudonym_key_stops_before_doing_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("MOPAC_ENV", "prod")
    monkeypatch.delenv("MOPAC_PSEUDONYM_KEY", raising=False)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1 and "MOPAC_PSEUDONYM_KEY" in result.output


DUCKDB_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists held (x integer)")
print("held", flush=True)
time.sleep(30)
"""


@pytest.mark.parametrize("command", [["status"], ["linkage-quality", "--truth", "."]])
def test_a_reader_finding_a_build_writing_the_warehouse_is_told_to_try_again(tmp_path, monkeypatch, command):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(warehouse))
    (tmp_path / "records.parquet").write_bytes(b"")  # linkage-quality checks the truth exists first
    monkeypatch.chdir(tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", DUCKDB_WRITER, str(warehouse / "mopac.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        result = CliRunner().invoke(main, command)
    finally:
        writer.kill()
        writer.wait()
    assert "A build is writing the warehouse right now; try again when it finishes" in result.output, result.output
