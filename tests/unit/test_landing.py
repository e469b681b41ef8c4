from datetime import date
from pathlib import Path

from pipelines.ingest.landing import identify, list_landing_files
from schemas.contract import load_contracts


def _landed(tmp_path: Path, relative: str):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return next(f for f in list_landing_files(tmp_path) if f.relative_path == relative)


def test_period_and_version_come_from_the_file_name(tmp_path):
    contracts = load_contracts()
    first = identify(_landed(tmp_path, "police_crimes/met_crimes_2025-03.csv"), contracts)
    second = identify(_landed(tmp_path, "police_crimes/met_crimes_2025-03_v2.csv"), contracts)
    assert (first.feed, first.period_month, first.version) == ("police_crimes", date(2025, 3, 1), 1)
    assert (second.period_month, second.version) == (date(2025, 3, 1), 2)


def test_names_matching_no_pattern_in_their_folder_are_unknown(tmp_path):
    contracts = load_contracts()
    for relative in ["police_crimes/met_crimes_2025-3.csv", "police_crimes/crimes.csv", "misc/met_crimes_2025-03.csv",
                     "met_crimes_2025-03.csv"]:
        assert identify(_landed(tmp_path, relative), contracts) is None, relative


def test_hidden_files_are_not_deliveries(tmp_path):
    (tmp_path / "police_crimes").mkdir()
    (tmp_path / "police_crimes" / ".~lock.met_crimes_2025-03.csv#").write_text("x")
    assert list_landing_files(tmp_path) == []
