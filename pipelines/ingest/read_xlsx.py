"""The XLSX reader: the contract's sheet, header in row 1, read through fastexcel (calamine).

Hub staff type dates as text (dd/mm/yyyy) or enter real Excel dates; read as text, an Excel date
cell arrives as 'YYYY-MM-DD HH:MM:SS'. In the contract's date columns such a cell is rewritten in
the feed's date format, so the one date parser reads both. Workbooks are small (one hub's month):
a workbook is read whole and handed on as one batch.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fastexcel
import polars as pl

from pipelines.ingest.landing import FileScan
from pipelines.ingest.read import ROW_NUMBER, Batch, TrailingBlankRows, UnreadableFile, normalise_header
from schemas.contract import FeedContract

_EXCEL_DATE_CELL = r"^\d{4}-\d{2}-\d{2} 00:00:00$"


class XlsxRows:
    def __init__(self, path: Path, scan: FileScan, contract: FeedContract):
        self.path, self.warnings, self.rows_received = path, [], 0
        try:
            workbook = fastexcel.read_excel(str(path))
        except Exception:  # fastexcel's message may quote cells: say what we know, never what it said
            raise UnreadableFile(f"{path.name} is not a readable XLSX workbook; ask the sender to save it again as "
                                 ".xlsx.") from None
        if contract.sheet not in workbook.sheet_names:
            raise UnreadableFile(
                f"{path.name} has no sheet named {contract.sheet!r} (sheets found: {', '.join(workbook.sheet_names)}); "
                f"ask the sender to re-send the workbook with the records in a sheet named {contract.sheet!r}.")
        try:
            frame = workbook.load_sheet_by_name(contract.sheet, dtypes="string").to_polars()
        except Exception:
            raise UnreadableFile(f"{path.name}: sheet {contract.sheet!r} cannot be read; ask the sender to save the "
                                 "workbook again as .xlsx.") from None
        self.columns = [normalise_header(n) for n in frame.columns]
        repeated = sorted({n for n in self.columns if self.columns.count(n) > 1})
        if repeated:
            raise UnreadableFile(f"{path.name} has repeated column headers after normalising: {', '.join(repeated)}; "
                                 "ask the sender to re-send it with one column per field.")
        dates = {normalise_header(c.delivered_as): contract.date_format_of(c)
                 for c in contract.delivered_columns if c.type == "date"}
        frame = frame.rename(dict(zip(frame.columns, self.columns))).with_columns(
            pl.when(pl.col(name).str.contains(_EXCEL_DATE_CELL))
            .then(pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).dt.strftime(date_format))
            .otherwise(pl.col(name)).alias(name)
            for name, date_format in dates.items() if name in self.columns)
        self._frame = frame.with_columns(pl.all().fill_null("")).with_row_index(ROW_NUMBER, offset=1).with_columns(
            pl.col(ROW_NUMBER).cast(pl.Int64))

    def __iter__(self) -> Iterator[Batch]:
        blanks = TrailingBlankRows(self.columns)
        rows = blanks.emit(self._frame, last_set_aside=0)
        self.rows_received = blanks.last_data_row
        if rows.height:
            yield Batch(rows)
