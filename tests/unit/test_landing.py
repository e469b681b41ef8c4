import hashlib
from datetime import date
from pathlib import Path

from pipelines.ingest.landing import LandedFile, identify, list_landing_files, scan_file
from schemas.contract import load_contracts, parse_contract


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


def test_partial_uploads_and_office_lock_files_are_not_deliveries(tmp_path):
    folder = tmp_path / "police_crimes"
    folder.mkdir()
    for name in ["met_crimes_2025-03.csv.part", "met_crimes_2025-03.csv.filepart", "met_crimes_2025-03.csv.tmp",
                 "~$met_crimes_2025-03.xlsx", "met_crimes_2025-03.csv.crdownload"]:
        (folder / name).write_text("x")
    (folder / "met_crimes_2025-03.csv").write_text("x")
    assert [f.file_name for f in list_landing_files(tmp_path)] == ["met_crimes_2025-03.csv"]


def test_the_period_key_holds_every_named_part_of_the_file_name_except_the_version():
    contract = parse_contract({
        "feed": "council_hub", "title": "t", "sender": "s", "description": "d", "delivery": "period", "format": "csv",
        "file_pattern": r"^(?P<borough_slug>[a-z-]+)_victim_care_hub_(?P<period>\d{4}-\d{2})(?:_v(?P<version>\d+))?\.csv$",
        "date_format": "%Y-%m-%d", "key": ["a"], "columns": [{"name": "a", "type": "string", "description": "a"}]})
    landed = [LandedFile(Path("x"), f"council_hub/{name}", "council_hub", name, 1, 1, 1)
              for name in ["barnet_victim_care_hub_2025-03.csv", "barnet_victim_care_hub_2025-03_v2.csv",
                           "kingston-upon-thames_victim_care_hub_2025-03.csv"]]
    keys = [identify(f, {"council_hub": contract}).period_key for f in landed]
    assert keys == ["2025-03 borough_slug=barnet", "2025-03 borough_slug=barnet",
                    "2025-03 borough_slug=kingston-upon-thames"]
    assert identify(_landed_file("police_crimes/met_crimes_2025-03_v2.csv"), load_contracts()).period_key == "2025-03"


def _landed_file(relative: str) -> LandedFile:
    folder, name = relative.split("/")
    return LandedFile(Path(relative), relative, folder, name, 1, 1, 1)


def test_one_scan_gives_the_hash_quote_parity_line_ending_and_first_non_utf8_byte(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\n"x ""y""",2\nz,\xe9\n')
    scan = scan_file(path)
    assert scan.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and scan.size_bytes == 20
    assert (scan.quote_count, scan.ends_with_newline) == (6, True)
    assert (scan.first_non_utf8_offset, scan.first_non_utf8_line) == (18, 3)
    path.write_bytes(b"a,b\n1,\xc3")  # cut inside a two-byte character, no final line ending
    scan = scan_file(path)
    assert (scan.first_non_utf8_offset, scan.ends_with_newline) == (7, False)
