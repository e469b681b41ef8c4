"""Read a delivery file as a stream of all-text Polars batches with normalised column names, plus
the row-level findings only a reader can see (a row whose fields do not match the header).

Batches keep memory at one batch, whatever the file's size. Every value stays text here: typing is
validation's job, so that a malformed value is reported as it was received. A parser's own error
text often quotes the row it choked on, so it is never passed on: every message here names file,
row, column and check, and says what the sender should do.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from pipelines.ingest.findings import no_findings, whole_row_findings
from pipelines.ingest.landing import FileScan

ROW_NUMBER = "_row_number"
BATCH_BYTES = 4 << 20  # the parser's block: about 20,000 police rows; smaller blocks, smaller peaks
# Arrow's jemalloc pool, told to return freed memory at once, so that each batch's buffers do not
# stay with the process for the rest of the build.
_ARROW_POOL = pa.jemalloc_memory_pool()
pa.jemalloc_set_decay_ms(0)


class UnreadableFile(ValueError):
    """The file cannot be read (or must not be: it is truncated); the message is the registry's
    rejection reason."""


@dataclass
class Batch:
    frame: pl.DataFrame  # rows that fit the header: text columns (normalised names) + ROW_NUMBER (1 = first data row)
    row_findings: pl.DataFrame = field(default_factory=no_findings)  # rows set aside since the last batch


class DeliveryRows(Protocol):
    """What every format's reader gives: a file's rows, batch by batch, to iterate once. `columns`
    and `warnings` are known up front; `rows_received` once iteration has ended."""

    columns: list[str]
    warnings: list[str]
    rows_received: int

    def __iter__(self) -> Iterator[Batch]: ...


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


class CsvRows:
    """RFC 4180 CSV with a header row. A row with more or fewer fields than the header is set aside
    (`wrong_field_count`): its values cannot be trusted to sit in their columns."""

    def __init__(self, path: Path, scan: FileScan):
        if scan.size_bytes == 0:
            raise UnreadableFile(f"{path.name} is empty (no header row); ask the sender to re-send the extract.")
        if scan.quote_count % 2:
            raise UnreadableFile(
                f"{path.name} looks truncated: it ends inside a quoted field (it holds an odd number of double-quote "
                "characters), so loading it would lose the rows after the cut. Ask the sender to re-send the "
                "complete file; a value containing a double quote must itself be quoted, with the inner quote doubled.")
        self.path, self.scan = path, scan
        self.encoding, self.warnings = text_encoding(scan)
        self.header = self._header()
        self.columns = [normalise_header(n) for n in self.header]
        repeated = sorted({n for n in self.columns if self.columns.count(n) > 1})
        if repeated:
            raise UnreadableFile(f"{path.name} has repeated column headers after normalising: {', '.join(repeated)}; "
                                 "ask the sender to re-send it with one column per field.")
        self.rows_received = 0

    def _header(self) -> list[str]:
        try:
            with open(self.path, encoding="utf-8-sig" if self.encoding == "utf8" else self.encoding,
                      newline="") as handle:
                header = next(csv.reader(handle), [])
        except UnicodeDecodeError:
            raise _undecodable(self.path.name, self.scan) from None
        except csv.Error:
            raise UnreadableFile(f"{self.path.name}: its header row is not valid CSV; ask the sender to re-export "
                                 "it.") from None
        if not any(h.strip() for h in header):
            raise UnreadableFile(f"{self.path.name} has no header row (its first line is blank); ask the sender to "
                                 "re-export it with the column names in the first line.")
        return header

    def __iter__(self) -> Iterator[Batch]:
        set_aside: list[tuple[int, int]] = []  # (data row number, fields), in file order

        def note(row: pa_csv.InvalidRow) -> str:
            set_aside.append((row.number - 1, row.actual_columns))  # the parser counts the header as record 1
            return "skip"

        numbering = _RowNumbering()
        blanks = _TrailingBlankRows(self.columns)
        reported = 0
        for record_batch in self._record_batches(note):
            frame = numbering.number(pl.from_arrow(record_batch).rename(dict(zip(self.header, self.columns))),
                                     [number for number, _ in set_aside])
            emitted = blanks.emit(frame, last_set_aside=set_aside[-1][0] if set_aside else 0)
            new = set_aside[reported:]
            reported = len(set_aside)
            if emitted.height or new:
                yield Batch(emitted, _wrong_field_count(new, len(self.header)))
        if set_aside[reported:]:
            yield Batch(blanks.emit(blanks.no_rows(), set_aside[-1][0]),
                        _wrong_field_count(set_aside[reported:], len(self.header)))
        self.rows_received = blanks.last_data_row
        last_record = max(numbering.last_good_row, set_aside[-1][0] if set_aside else 0)
        if set_aside and set_aside[-1][0] == last_record and not self.scan.ends_with_newline \
                and set_aside[-1][1] < len(self.header):
            raise UnreadableFile(
                f"{self.path.name} looks truncated: its last line (row {last_record}) has no line ending and only "
                f"{set_aside[-1][1]} of the header's {len(self.header)} fields. Ask the sender to re-send the "
                "complete file.")

    def _record_batches(self, on_invalid_row) -> Iterator[pa.RecordBatch]:
        # One thread: the parser then numbers every row it sets aside, and is fastest here anyway.
        try:
            reader = pa_csv.open_csv(
                self.path,
                read_options=pa_csv.ReadOptions(use_threads=False, encoding=self.encoding, column_names=self.header,
                                                skip_rows=1, block_size=BATCH_BYTES),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid_row),
                convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in self.header},
                                                       strings_can_be_null=False, quoted_strings_can_be_null=False),
                memory_pool=_ARROW_POOL,
            )
            yield from reader
        except UnicodeDecodeError:
            raise _undecodable(self.path.name, self.scan) from None
        except (pa.ArrowException, ValueError):
            # pyarrow's message can quote the row it failed on: say what we know, never what it said.
            raise UnreadableFile(f"{self.path.name} is not a readable CSV file; ask the sender to re-export it as "
                                 "CSV with a header row and one line per record.") from None


def _wrong_field_count(rows: list[tuple[int, int]], expected: int) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={"row_number": pl.Int64, "fields": pl.Int64}, orient="row")
    return whole_row_findings(
        frame, "wrong_field_count",
        pl.lit(" (") + pl.col("fields").cast(pl.String) + pl.lit(
            f" fields where the header has {expected}; its values cannot be trusted to sit in their columns: ask the "
            "sender to re-send the row with every field, an empty value still being a field)"))


class _RowNumbering:
    """Data rows are numbered 1.. in file order counting the rows set aside, so a finding names the
    row the sender sees (blank lines are not rows). The rows set aside so far always include those
    among this batch's rows: the parser reports them before it hands the batch over."""

    def __init__(self) -> None:
        self.last_good_row = 0

    def number(self, frame: pl.DataFrame, set_aside: list[int]) -> pl.DataFrame:
        ahead = [n for n in set_aside if n > self.last_good_row]
        candidates = pl.int_range(self.last_good_row + 1, self.last_good_row + 1 + frame.height + len(ahead),
                                  dtype=pl.Int64, eager=True)
        numbers = candidates.filter(~candidates.is_in(pl.Series(ahead, dtype=pl.Int64).implode())).head(frame.height)
        if frame.height:
            self.last_good_row = numbers[-1]
        return frame.select(numbers.alias(ROW_NUMBER), *frame.columns)


class _TrailingBlankRows:
    """Trailing blank rows (',,,,' left by a spreadsheet) are dropped without fuss; blank rows
    between records are data rows (they fail the required-field checks). A blank row is held back
    until a later data row shows it is not trailing."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.held = self.no_rows()
        self.last_data_row = 0

    def no_rows(self) -> pl.DataFrame:
        return pl.DataFrame(schema={ROW_NUMBER: pl.Int64, **dict.fromkeys(self.columns, pl.String)})

    def emit(self, frame: pl.DataFrame, last_set_aside: int) -> pl.DataFrame:
        blank = pl.all_horizontal([pl.col(c).str.strip_chars() == "" for c in self.columns])
        last_in_frame = frame.filter(~blank)[ROW_NUMBER].max()
        self.last_data_row = max(self.last_data_row, last_in_frame or 0, last_set_aside)
        rows = pl.concat([self.held, frame])
        self.held = rows.filter(pl.col(ROW_NUMBER) > self.last_data_row)
        return rows.filter(pl.col(ROW_NUMBER) <= self.last_data_row)


READERS: dict[str, Callable[[Path, FileScan], DeliveryRows]] = {"csv": CsvRows}
