"""Read a delivery file into an all-text Polars frame with normalised column names, plus the
row-level findings that only the reader can see (a row whose fields do not match the header).

Every value stays text here: typing is validation's job, so that a malformed value can be
reported as it was received (rather than silently becoming null at read time). A parser's own
error text often quotes the row it choked on, so it is never passed on: every message here names
file, row, column and check, and says what the sender should do.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from pipelines.ingest.findings import no_findings, whole_row_findings
from pipelines.ingest.landing import FileScan

ROW_NUMBER = "_row_number"


class UnreadableFile(ValueError):
    """The file cannot be read (or must not be: it is truncated); the message is the registry's
    rejection reason."""


@dataclass
class ReadResult:
    frame: pl.DataFrame  # text columns named as in the contract, plus ROW_NUMBER (1 = first data row)
    row_findings: pl.DataFrame = field(default_factory=no_findings)  # rows the reader could not split
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_received(self) -> int:
        return self.frame.height + self.row_findings.height


def normalise_header(name: str) -> str:
    """extracts.md: trim, lower-case, spaces and hyphens to '_'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def text_encoding(scan: FileScan) -> tuple[str, list[str]]:
    """UTF-8 (a BOM is fine); Windows-1252 with a warning; nothing else."""
    if scan.first_non_utf8_offset is None:
        return "utf8", []
    return "cp1252", [f"not valid UTF-8 (first bad byte on line {scan.first_non_utf8_line}, at byte offset "
                      f"{scan.first_non_utf8_offset}); decoded as Windows-1252"]


def _undecodable(file_name: str, scan: FileScan) -> UnreadableFile:
    return UnreadableFile(f"{file_name} is neither UTF-8 nor Windows-1252 (first byte that is not UTF-8 on line "
                          f"{scan.first_non_utf8_line}, at byte offset {scan.first_non_utf8_offset}); ask the sender "
                          "to re-export it as UTF-8.")


def read_csv(path: Path, scan: FileScan) -> ReadResult:
    if scan.size_bytes == 0:
        raise UnreadableFile(f"{path.name} is empty (no header row); ask the sender to re-send the extract.")
    if scan.quote_count % 2:
        raise UnreadableFile(
            f"{path.name} looks truncated: it ends inside a quoted field (it holds an odd number of double-quote "
            "characters), so loading it would lose the rows after the cut. Ask the sender to re-send the complete "
            "file; a value containing a double quote must itself be quoted, with the inner quote doubled.")
    encoding, warnings = text_encoding(scan)
    header = _header(path, encoding, scan)
    names = [normalise_header(n) for n in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UnreadableFile(f"{path.name} has repeated column headers after normalising: {', '.join(repeated)}; "
                             "ask the sender to re-send it with one column per field.")
    table, short_or_long = _parse(path, encoding, header, scan)
    frame, findings = _number_rows(pl.from_arrow(table).rename(dict(zip(header, names))), short_or_long, len(header))
    if short_or_long and not scan.ends_with_newline:
        last_row, fields = short_or_long[-1]
        if last_row == frame.height + findings.height and fields < len(header):
            raise UnreadableFile(
                f"{path.name} looks truncated: its last line (row {last_row}) has no line ending and only {fields} "
                f"of the header's {len(header)} fields. Ask the sender to re-send the complete file.")
    return _without_trailing_blank_rows(ReadResult(frame, findings, warnings))


def _header(path: Path, encoding: str, scan: FileScan) -> list[str]:
    text_encoding_name = "utf-8-sig" if encoding == "utf8" else encoding
    try:
        with open(path, encoding=text_encoding_name, newline="") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise _undecodable(path.name, scan) from None
    except csv.Error:
        raise UnreadableFile(f"{path.name}: its header row is not valid CSV; ask the sender to re-export it.") from None
    if not any(h.strip() for h in header):
        raise UnreadableFile(f"{path.name} has no header row (its first line is blank); ask the sender to re-export "
                             "it with the column names in the first line.")
    return header


def _parse(path: Path, encoding: str, header: list[str], scan: FileScan) -> tuple[pa.Table, list[tuple[int, int]]]:
    """The rows whose field count matches the header, and (row number, field count) of the others.

    Multi-threaded parsing cannot say where a bad row was, so a file with bad rows (rare) is
    parsed again on one thread to number them exactly."""
    for use_threads in (True, False):
        bad: list[tuple[int | None, int]] = []

        def set_aside(row: pa_csv.InvalidRow) -> str:
            bad.append((row.number, row.actual_columns))
            return "skip"

        try:
            table = pa_csv.read_csv(
                path,
                read_options=pa_csv.ReadOptions(use_threads=use_threads, encoding=encoding,
                                                column_names=header, skip_rows=1),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=set_aside),
                convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                       strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except UnicodeDecodeError:
            raise _undecodable(path.name, scan) from None
        except (pa.ArrowException, ValueError):
            # pyarrow's message can quote the row it failed on: say what we know, never what it said.
            raise UnreadableFile(f"{path.name} is not a readable CSV file; ask the sender to re-export it as CSV "
                                 "with a header row and one line per record.") from None
        if not bad:
            return table, []
        if use_threads is False:
            # pyarrow counts the header as record 1.
            return table, sorted((number - 1, fields) for number, fields in bad)
    raise AssertionError("unreachable")


def _number_rows(frame: pl.DataFrame, bad: list[tuple[int, int]], expected: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Data rows are numbered 1.. in file order, counting the rows set aside, so a finding names the
    row the sender sees (blank lines are not rows)."""
    bad_rows = pl.DataFrame(bad, schema={"row_number": pl.Int64, "fields": pl.Int64}, orient="row")
    total = frame.height + bad_rows.height
    numbers = pl.int_range(1, total + 1, dtype=pl.Int64, eager=True)
    good_numbers = numbers.filter(~numbers.is_in(bad_rows["row_number"].implode()))
    findings = whole_row_findings(
        bad_rows, "wrong_field_count",
        pl.lit(" (") + pl.col("fields").cast(pl.String) + pl.lit(f" fields where the header has {expected}; its "
                                                                   "values cannot be trusted to sit in their columns)"))
    return frame.with_columns(good_numbers.alias(ROW_NUMBER)).select(ROW_NUMBER, *frame.columns), findings


def _without_trailing_blank_rows(read: ReadResult) -> ReadResult:
    """Trailing blank rows (e.g. ',,,,' left by a spreadsheet) are accepted without fuss; blank rows
    between records are data rows (they fail the required-field checks and are quarantined)."""
    frame = read.frame
    text_columns = [c for c in frame.columns if c != ROW_NUMBER]
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in text_columns])
    last_row = max(frame.filter(~blank)[ROW_NUMBER].max() or 0, read.row_findings["row_number"].max() or 0)
    return ReadResult(frame.filter(pl.col(ROW_NUMBER) <= last_row), read.row_findings, read.warnings)
