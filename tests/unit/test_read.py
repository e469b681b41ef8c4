"""The CSV reader: rows that do not fit the header are set aside, never shifted; truncated and
undecodable files are refused; no message ever quotes a row's values."""
import csv
import io
from datetime import date

import polars as pl
import pytest

from pipelines.ingest.read import ROW_NUMBER, UnreadableFile
from pipelines.ingest.reference import rule_context
from schemas.contract import load_contracts
from tests.conftest import POLICE_COLUMNS, police_row, read_whole_file, validate_whole_file

CONTRACT = load_contracts()["police_crimes"]
CANARY = "Qzcanaryshifted"


def csv_text(rows: list[dict[str, str]], columns=POLICE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_text(tmp_path, text: str | bytes):
    path = tmp_path / "met_crimes_2025-04.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return read_whole_file(path)


def rows(n: int) -> list[dict[str, str]]:
    return [police_row(crime_ref=f"40{i:05d}/25", victim_ref=f"V{i:08d}") for i in range(1, n + 1)]


def drop_field(line: str, column: str) -> str:
    """The row as an exporter that skipped one empty cell would write it."""
    fields = line.split(",")
    del fields[POLICE_COLUMNS.index(column)]
    return ",".join(fields)


def test_a_row_one_field_short_is_set_aside_and_never_shifted_into_other_columns(tmp_path):
    source = rows(3)
    source[1].update(victim_gender="", support_referral_date="2025-04-08", rj_info_date="2025-04-09")
    lines = csv_text(source).splitlines()
    lines[2] = drop_field(lines[2], "victim_gender")
    read = read_text(tmp_path, "\n".join(lines) + "\n")
    assert read.frame[ROW_NUMBER].to_list() == [1, 3]
    assert read.findings.select("row_number", "check_name", "severity").rows() == [(2, "wrong_field_count", "row")]
    assert "22 fields where the header has 23" in read.findings["reason"][0]
    checked = validate_whole_file(tmp_path / "met_crimes_2025-04.csv", CONTRACT, rule_context(date(2025, 4, 1)))
    assert (checked.rows_received, checked.rows_quarantined, checked.frame.height) == (3, 1, 2)
    assert checked.frame["support_referral_date"].to_list() == [date(2025, 4, 8)] * 2


def test_a_row_with_an_extra_field_is_set_aside(tmp_path):
    lines = csv_text(rows(2)).splitlines()
    lines[1] += ",surplus"
    read = read_text(tmp_path, "\n".join(lines) + "\n")
    assert read.frame[ROW_NUMBER].to_list() == [2]
    assert read.findings.select("row_number", "check_name").rows() == [(1, "wrong_field_count")]


def test_rows_are_numbered_exactly_when_a_bad_row_sits_deep_in_a_large_file(tmp_path):
    lines = csv_text(rows(12_000)).splitlines()  # several parser blocks, parsed on several threads
    lines[11_001] = drop_field(lines[11_001], "lsoa21_code")  # data row 11,001
    read = read_text(tmp_path, "\n".join(lines) + "\n")
    assert read.findings["row_number"].to_list() == [11_001]
    numbers = read.frame[ROW_NUMBER]
    assert numbers.len() == 11_999 and 11_001 not in numbers.to_list()
    assert read.frame.filter(pl.col(ROW_NUMBER) == 11_002)["crime_ref"].item() == "4011002/25"


def test_a_file_ending_inside_a_quoted_field_is_rejected_as_truncated(tmp_path):
    text = csv_text(rows(3)).rstrip("\n")
    cut = text[: text.rindex("\n") + 1] + f'4000099/25,V00000099,2025-04-04,2025-04-01,Burglary,"{CANARY} Smith'
    with pytest.raises(UnreadableFile, match="looks truncated: it ends inside a quoted field") as problem:
        read_text(tmp_path, cut)
    assert CANARY.upper() not in str(problem.value).upper()


def test_a_last_line_cut_short_without_a_line_ending_is_rejected_as_truncated(tmp_path):
    text = csv_text(rows(3))
    with pytest.raises(UnreadableFile, match="its last line \\(row 3\\) has no line ending and only 10 of"):
        read_text(tmp_path, text[: text.rindex(",John,")])


def test_a_short_last_line_with_its_line_ending_is_a_short_row_not_a_truncation(tmp_path):
    lines = csv_text(rows(3)).splitlines()
    lines[3] = drop_field(lines[3], "victim_gender")
    read = read_text(tmp_path, "\n".join(lines) + "\n")
    assert read.findings["row_number"].to_list() == [3] and read.rows_received == 3


def test_quoted_commas_doubled_quotes_and_line_breaks_inside_values_are_read_as_one_value(tmp_path):
    source = rows(3)
    source[0]["offence_subgroup"] = 'Theft, "other"'
    source[1]["offence_subgroup"] = "Theft\nfrom a vehicle"
    read = read_text(tmp_path, csv_text(source))
    assert read.findings.is_empty()
    assert read.frame["offence_subgroup"].to_list()[:2] == ['Theft, "other"', "Theft\nfrom a vehicle"]
    assert read.frame[ROW_NUMBER].to_list() == [1, 2, 3]  # a row is a record, not a line


def test_trailing_blank_rows_are_dropped_but_blank_rows_between_records_are_rows(tmp_path):
    blank = "," * (len(POLICE_COLUMNS) - 1)
    lines = csv_text(rows(2)).splitlines()
    read = read_text(tmp_path, "\n".join([lines[0], lines[1], blank, lines[2], blank, blank]) + "\n")
    assert read.frame[ROW_NUMBER].to_list() == [1, 2, 3]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n\n", "has no header row"),
    ("crime_ref,Crime Ref\n1,2\n".encode(), "repeated column headers after normalising: crime_ref"),
    (b"crime_ref,offence_subgroup\n4012345/25,\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
])
def test_unreadable_files_are_refused_with_what_to_do(tmp_path, content, message):
    with pytest.raises(UnreadableFile, match=message) as problem:
        read_text(tmp_path, content)
    assert "ask the sender" in str(problem.value)


def test_windows_1252_is_decoded_with_a_warning(tmp_path):
    read = read_text(tmp_path, "crime_ref,court\n4012345/25,Magistrates\u2019 Court\n".encode("cp1252"))
    assert read.frame["court"].to_list() == ["Magistrates\u2019 Court"]
    assert read.warnings == ["not valid UTF-8 (first bad byte on line 2, at byte offset 38); decoded as Windows-1252"]


def test_a_byte_order_mark_and_crlf_line_endings_are_accepted(tmp_path):
    read = read_text(tmp_path, b"\xef\xbb\xbf" + csv_text(rows(2)).replace("\n", "\r\n").encode())
    assert read.frame.columns[1] == "crime_ref" and read.frame.height == 2 and read.findings.is_empty()
