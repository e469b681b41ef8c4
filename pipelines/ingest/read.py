"""What every format's reader shares: batches of all-text rows with normalised column names, the
row-level findings only a reader can see (a row that does not fit, a record that is not one), row
numbering, decoding, and trailing blank rows. One small module per format (read_csv, read_jsonl,
read_xlsx, read_wide) builds on these; `readers.open_rows` picks one by the contract's format.

Batches keep memory at one batch, whatever the file's size. Every value stays text here: typing is
validation's job, so that a malformed value is reported as it was received. A parser's own error
text often quotes the row it choked on, so it is never passed on: every message here names file,
row, column and check, and says what the sender should do.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
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


def undecodable(file_name: str, scan: FileScan) -> UnreadableFile:
    return UnreadableFile(f"{file_name} is neither UTF-8 nor Windows-1252 (first byte that is not UTF-8 on line "
                          f"{scan.first_non_utf8_line}, at byte offset {scan.first_non_utf8_offset}); ask the sender "
                          "to re-export it as UTF-8.")


def delimited_record_batches(path: Path, scan: FileScan, encoding: str, column_names: list[str], *, skip_rows: int,
                             on_invalid_row, delimiter: str = ",", quote_char: str | bool = '"') -> Iterator[pa.RecordBatch]:
    """Records of a delimited text file as all-text Arrow batches of about BATCH_BYTES. Rows whose
    field count differs from `column_names` go to `on_invalid_row` (numbered from 1 at the file's
    first line) and are skipped; blank lines are not records."""
    # One thread: the parser then numbers every row it sets aside, and is fastest here anyway.
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(use_threads=False, encoding=encoding, column_names=column_names,
                                            skip_rows=skip_rows, block_size=BATCH_BYTES),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=quote_char,
                                              newlines_in_values=bool(quote_char), invalid_row_handler=on_invalid_row),
            convert_options=pa_csv.ConvertOptions(column_types={c: pa.string() for c in column_names},
                                                   strings_can_be_null=False, quoted_strings_can_be_null=False),
            memory_pool=_ARROW_POOL,
        )
        yield from reader
    except UnicodeDecodeError:
        raise undecodable(path.name, scan) from None
    except (pa.ArrowException, ValueError):
        # pyarrow's message can quote the row it failed on: say what we know, never what it said.
        raise UnreadableFile(f"{path.name} cannot be read as {'CSV' if quote_char else 'lines of text'}; ask the "
                             "sender to re-export it.") from None


def set_aside_findings(rows: list[tuple[int, int]], check: str, detail: pl.Expr) -> pl.DataFrame:
    """Whole-row findings for rows a reader set aside: (row number, fields) pairs."""
    frame = pl.DataFrame(rows, schema={"row_number": pl.Int64, "fields": pl.Int64}, orient="row")
    return whole_row_findings(frame, check, detail)


def wrong_field_count(rows: list[tuple[int, int]], expected: int) -> pl.DataFrame:
    return set_aside_findings(
        rows, "wrong_field_count",
        pl.lit(" (") + pl.col("fields").cast(pl.String) + pl.lit(
            f" fields where the header has {expected}; its values cannot be trusted to sit in their columns: ask the "
            "sender to re-send the row with every field, an empty value still being a field)"))


class RowNumbering:
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


class TrailingBlankRows:
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
        rows = pl.concat([self.held, frame]) if self.held.height else frame
        if rows.is_empty() or rows[ROW_NUMBER].max() <= self.last_data_row:  # nothing to hold back: no copy
            self.held = rows.clear()
            return rows
        self.held = rows.filter(pl.col(ROW_NUMBER) > self.last_data_row)
        return rows.filter(pl.col(ROW_NUMBER) <= self.last_data_row)

