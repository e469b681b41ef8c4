"""The JSON Lines reader: one JSON object per line; nested objects are read by the contract's paths
(`sentence.date` is the `date` inside `sentence`), unknown fields are ignored.

Lines are read as text, in batches. Polars decides which lines are JSON objects (strictly: DuckDB's
parser accepts trailing commas and NaN); DuckDB then parses each of those once for every path, where
Polars would parse the line again per path. A line that is not a JSON object is set aside as
`malformed_record`; a last line cut short (no line ending, not JSON) is a
truncated file: loading it would close, in a snapshot, every record after the cut.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.csv as pa_csv

from pipelines.ingest.landing import FileScan
from pipelines.ingest.read import (
    ROW_NUMBER, Batch, RowNumbering, UnreadableFile, delimited_record_batches, normalise_header, set_aside_findings,
    text_encoding)
from pipelines.sql import quote_identifier
from schemas.contract import FeedContract

# A line is one field: this control character never occurs raw in valid JSON, so a line holding
# it is malformed (and set aside by the parser).
_NO_DELIMITER = "\x1f"
_MALFORMED_DETAIL = pl.lit(" (the line is not a JSON object; ask the sender to re-export the file with one JSON "
                           "object per line)")


def _json_path(delivered: str) -> str:
    return "$." + delivered


class JsonLinesRows:
    def __init__(self, path: Path, scan: FileScan, contract: FeedContract):
        if scan.size_bytes == 0:
            raise UnreadableFile(f"{path.name} is empty; ask the sender to re-send the extract.")
        self.path, self.scan = path, scan
        self.encoding, self.warnings = text_encoding(scan)
        paths = {normalise_header(c.delivered_as): _json_path(c.delivered_as) for c in contract.delivered_columns}
        self.columns, self._paths = list(paths), list(paths.values())
        self.rows_received = 0

    def __iter__(self) -> Iterator[Batch]:
        split: list[tuple[int, int]] = []  # lines holding a raw control character: never JSON

        def note(row: pa_csv.InvalidRow) -> str:
            split.append((row.number, row.actual_columns))
            return "skip"

        numbering = RowNumbering()
        reported = 0
        last_malformed = 0
        with duckdb.connect() as parser:
            for record_batch in delimited_record_batches(self.path, self.scan, self.encoding, ["line"], skip_rows=0,
                                                         on_invalid_row=note, delimiter=_NO_DELIMITER,
                                                         quote_char=False):
                lines = numbering.number(pl.from_arrow(record_batch), [n for n, _ in split])
                line = pl.col("line")
                # evaluated once: Polars' strict parse is most of this reader's time
                well_formed = lines.select(
                    line.str.strip_chars().str.starts_with("{") & line.str.json_path_match("$").is_not_null()
                ).to_series()
                malformed = lines.filter(~well_formed).select(pl.col(ROW_NUMBER).alias("row_number"))
                new_split = split[reported:]
                reported = len(split)
                findings = pl.concat([
                    set_aside_findings([(n, 1) for n in malformed["row_number"]], "malformed_record", _MALFORMED_DETAIL),
                    set_aside_findings(new_split, "malformed_record", _MALFORMED_DETAIL),
                ])
                last_malformed = max(last_malformed, findings["row_number"].max() or 0)
                yield Batch(self._fields(parser, lines.filter(well_formed)), findings)
        self.rows_received = max(numbering.last_good_row, max((n for n, _ in split), default=0))
        if last_malformed and last_malformed == self.rows_received and not self.scan.ends_with_newline:
            raise UnreadableFile(
                f"{self.path.name} looks truncated: its last line (row {last_malformed}) has no line ending and is not "
                "a whole JSON object. Ask the sender to re-send the complete file.")

    def _fields(self, parser: duckdb.DuckDBPyConnection, objects: pl.DataFrame) -> pl.DataFrame:
        """ROW_NUMBER and one text column per contract path (null where the object lacks it)."""
        parser.register("objects", objects.to_arrow())
        try:
            extracted = parser.sql(f"select {quote_identifier(ROW_NUMBER)}, json_extract_string(line, $paths::varchar[]) "
                                   "as _fields from objects", params={"paths": self._paths}).pl()
        finally:
            parser.unregister("objects")
        return extracted.select(ROW_NUMBER, *[pl.col("_fields").list.get(i).alias(name)
                                              for i, name in enumerate(self.columns)])
