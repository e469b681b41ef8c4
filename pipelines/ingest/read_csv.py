"""The CSV reader: RFC 4180 with a header row, UTF-8 (Windows-1252 with a warning), streamed in batches."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.csv as pa_csv

from pipelines.ingest.landing import FileScan
from pipelines.ingest.read import (
    Batch, RowNumbering, TrailingBlankRows, UnreadableFile, delimited_record_batches, normalise_header,
    text_encoding, undecodable, wrong_field_count)
from schemas.contract import FeedContract


class CsvRows:
    """RFC 4180 CSV with a header row. A row with more or fewer fields than the header is set aside
    (`wrong_field_count`): its values cannot be trusted to sit in their columns."""

    def __init__(self, path: Path, scan: FileScan, contract: FeedContract):
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
            raise undecodable(self.path.name, self.scan) from None
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

        numbering = RowNumbering()
        blanks = TrailingBlankRows(self.columns)
        reported = 0
        for record_batch in delimited_record_batches(self.path, self.scan, self.encoding, self.header, skip_rows=1,
                                                     on_invalid_row=note):
            frame = numbering.number(pl.from_arrow(record_batch).rename(dict(zip(self.header, self.columns))),
                                     [number for number, _ in set_aside])
            emitted = blanks.emit(frame, last_set_aside=set_aside[-1][0] if set_aside else 0)
            new = set_aside[reported:]
            reported = len(set_aside)
            if emitted.height or new:
                yield Batch(emitted, wrong_field_count(new, len(self.header)))
        if set_aside[reported:]:
            yield Batch(blanks.emit(blanks.no_rows(), set_aside[-1][0]),
                        wrong_field_count(set_aside[reported:], len(self.header)))
        self.rows_received = blanks.last_data_row
        last_record = max(numbering.last_good_row, set_aside[-1][0] if set_aside else 0)
        if set_aside and set_aside[-1][0] == last_record and not self.scan.ends_with_newline \
                and set_aside[-1][1] < len(self.header):
            raise UnreadableFile(
                f"{self.path.name} looks truncated: its last line (row {last_record}) has no line ending and only "
                f"{set_aside[-1][1]} of the header's {len(self.header)} fields. Ask the sender to re-send the "
                "complete file.")
