"""`mopac benchmark` end to end on a tiny world: a floor, two builds timed by stage, the figures as JSON."""
import json

import pytest
from click.testing import CliRunner

from pipelines.cli import main


@pytest.mark.slow  # three real builds in subprocesses: about two minutes, more on a busy machine
def test_the_benchmark_times_the_floor_and_each_stage_of_a_first_and_an_incremental_build(tmp_path):
    figures = tmp_path / "figures.json"
    result = CliRunner().invoke(main, ["benchmark", "--months", "1", "--against", "1", "--scale", "0.01", "--seed", "3",
                                       "--repeats", "2", "--keep", str(tmp_path / "kept"), "--json", str(figures)])
    assert result.exit_code == 0, result.output
    report = json.loads(figures.read_text())
    first, incremental = report["builds"]
    for build in (first, incremental):
        assert build["exit_code"] == 0 and build["run_status"] == "SUCCESS"
        stages = {s["name"]: s for s in build["stages"]}
        assert {"start-up", "ingest police_crimes", "dbt", "publish"} <= set(stages)
        assert sum(s["seconds"] for s in build["stages"]) == pytest.approx(build["wall_seconds"], abs=0.01)
        assert stages["ingest police_crimes"]["floor_seconds"] > 0 and build["floor"]["wall_seconds"] > 0
        # every feed of the generated world, the floor loading the same files straight
        assert build["rows_received"] == sum(feed["rows"] for feed in build["floor"]["feeds"].values()) > 0
        assert build["rows_per_second"] > 0 and build["build_floor_ratio"] > 1
        assert 50 < build["peak_build_mb"] < 2000 and build["peak_dbt_mb"] > 50
    assert first["new_files"] >= 1 and incremental["new_files"] >= 1 and incremental["months_before"] == 1
    assert report["incremental_ratio"] == 1.0 and report["against_months"] == 1  # one month: compared with itself
    assert len(incremental["repeat_wall_seconds"]) == 2 and incremental["wall_seconds"] == max(incremental["repeat_wall_seconds"])
    assert "stage" in result.output and "build/floor" in result.output


def test_the_smaller_warehouse_compared_with_must_not_be_larger(tmp_path):
    result = CliRunner().invoke(main, ["benchmark", "--months", "12", "--against", "60"])
    assert result.exit_code == 2 and "--against" in result.output and "between 1 and --months" in result.output


def test_a_new_month_is_built_at_least_once():
    result = CliRunner().invoke(main, ["benchmark", "--months", "12", "--repeats", "0"])
    assert result.exit_code == 2 and "--repeats" in result.output and "1 or more" in result.output
