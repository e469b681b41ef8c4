"""What a person sees while `mopac build` runs: a line per file and per stage, then the summary; the
whole Dagster and dbt log in a file under the warehouse folder, and on the console with -v."""
import re

import pytest

from schemas.contract import load_contracts
from click.testing import CliRunner

from pipelines.cli import main
from tests.conftest import police_row, write_police_file
from tests.integration.build_helpers import isolated_environment

MAY = {"report_date": "2025-05-06", "offence_date": "2025-05-05", "needs_assessment_date": "2025-05-06",
       "support_referral_date": "2025-05-07", "rj_info_date": "2025-05-07"}
DBT_MODEL_LINE = re.compile(r"\d+ of \d+ (START|OK|PASS)")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("output")
    landing = root / "landing" / "police_crimes"
    write_police_file(landing / "met_crimes_2025-04.csv",
                      [police_row(crime_ref=f"41{i:05d}/25", victim_ref=f"V1{i:07d}") for i in range(1, 11)]
                      + [police_row(crime_ref="4100999/25", victim_ref="V10000999", borough="Atlantis")])
    write_police_file(landing / "met_crimes_2025-05.csv",
                      [police_row(crime_ref=f"42{i:05d}/25", victim_ref=f"V2{i:07d}", **MAY) for i in range(1, 6)])
    (landing / "notes.txt").write_text("not a delivery")
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        default = CliRunner().invoke(main, ["build"])
        logs_after_default = sorted((root / "warehouse" / "logs").glob("build-*.log"))
        verbose = CliRunner().invoke(main, ["build", "-v", "--full-refresh"])
        yield {"root": root, "default": default, "verbose": verbose, "logs_after_default": logs_after_default,
               "logs": sorted((root / "warehouse" / "logs").glob("build-*.log"))}


def test_the_default_output_is_a_line_per_file_and_per_stage_then_the_summary(builds):
    result = builds["default"]
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    files = [line for line in lines if line.startswith("  police_crimes/") or line.startswith("  ?/")]
    assert files[:2] == [
        "  police_crimes/met_crimes_2025-04.csv: loaded 10 of 11 rows (1 quarantined, 0 fields nulled)",
        "  police_crimes/met_crimes_2025-05.csv: loaded 5 of 5 rows (0 quarantined, 0 fields nulled)",
    ]
    assert len(files) == 3 and files[2].startswith("  ?/notes.txt: unknown - ")  # a file matching no pattern
    stages = [line.split(":")[0] for line in lines if re.match(r"^(ingest|dbt|publish)", line)]
    assert stages == [f"ingest {feed}" for feed in sorted(load_contracts())] + ["dbt build", "publish"]
    ingest = next(line for line in lines if line.startswith("ingest police_crimes:"))
    assert re.fullmatch(r"ingest police_crimes: 2 new files, 16 rows received, 15 loaded, 1 quarantined "
                        r"\(\d+\.\d s\)", ingest), ingest
    dbt = next(line for line in lines if line.startswith("dbt build:"))
    assert re.fullmatch(r"dbt build: \d+ models and seeds built, \d+ tests passed \(\d+\.\d s\)", dbt), dbt
    assert re.fullmatch(r"publish: \d+ tables written, 0 reused \(\d+\.\d s\)",
                        next(line for line in lines if line.startswith("publish:")))
    assert "Build completed" in lines and "Files by feed and status:" in lines
    assert lines[-1] == f"Log: {builds['logs_after_default'][0]}"


def test_the_default_output_leaves_dagster_and_dbt_lines_to_the_log_file(builds):
    output = builds["default"].output
    assert not DBT_MODEL_LINE.search(output) and "Running with dbt" not in output
    assert "build_warehouse - " not in output and "Blocking asset check" not in output
    assert len(output.splitlines()) < 40  # a line per feed, per file and per stage, and the summary


def test_the_log_file_holds_the_whole_dagster_and_dbt_log_and_the_summary(builds):
    [log] = builds["logs_after_default"]
    assert log.parent == builds["root"] / "warehouse" / "logs"
    text = log.read_text()
    assert "Running with dbt=" in text and DBT_MODEL_LINE.search(text) and "Completed successfully" in text
    assert "STEP_START" in text and "RUN_SUCCESS" in text  # Dagster's own events, at DEBUG
    assert "police_crimes/met_crimes_2025-04.csv: loaded 10 of 11 rows" in text
    assert text.rstrip().endswith(f"Log: {log}")


def test_verbose_prints_the_whole_log_on_the_console(builds):
    result = builds["verbose"]
    assert result.exit_code == 0, result.output
    assert "Running with dbt=" in result.output and DBT_MODEL_LINE.search(result.output)
    assert " - dagster - INFO - build_warehouse - " in result.output
    assert len(builds["logs"]) == 2 and "Running with dbt=" in builds["logs"][1].read_text()
