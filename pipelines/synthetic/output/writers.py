"""Extract files, written byte-for-byte reproducibly (fixed workbook properties, no clocks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.synthetic.draws import Draws

# Workbook document properties are pinned so that the same data gives the same bytes.
WORKBOOK_CREATED = dt.datetime(2000, 1, 1)
DATE_CELL_SHARE = 0.7


def write_csv(path: Path, frame: pl.DataFrame, columns: tuple[str, ...], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.select(columns).write_csv(null_value="", line_terminator="\n")
    path.write_bytes(text.encode(encoding))


def write_jsonl(path: Path, frame: pl.DataFrame, columns: tuple[str, ...], booleans: tuple[str, ...], integers: tuple[str, ...]) -> None:
    """One JSON object per row; dotted column names become nested objects ("sentence.date")."""
    typed = frame.select(columns).with_columns(
        *[pl.when(pl.col(c) == "true").then(True).when(pl.col(c) == "false").then(False).alias(c) for c in booleans],
        *[pl.col(c).cast(pl.Int64) for c in integers],
    )
    nested: dict[str, list[str] | None] = {}
    for column in columns:
        parent, _, child = column.partition(".")
        if child:
            nested.setdefault(parent, []).append(column)
        else:
            nested[column] = None
    objects = typed.select(
        [
            pl.col(name) if parts is None else pl.struct([pl.col(p).alias(p.split(".", 1)[1]) for p in parts]).alias(name)
            for name, parts in nested.items()
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(objects.write_ndjson().encode("utf-8"))


def write_xlsx(
    path: Path,
    frame: pl.DataFrame,
    columns: tuple[str, ...],
    sheet: str,
    date_columns: tuple[str, ...],
    draws: Draws,
    trailing_blank_rows: int,
) -> None:
    """A workbook as a hub would save it: valid dd/mm/yyyy dates mostly as real date cells, the
    rest as text; then `trailing_blank_rows` formatted but empty rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    as_cell = frame.select(
        [(draws.uniform("_rid", f"xlsx.date_cell.{c}") < DATE_CELL_SHARE).alias(c) for c in date_columns]
    )
    parsed = frame.select([pl.col(c).str.strptime(pl.Date, "%d/%m/%Y", strict=False).alias(c) for c in date_columns])
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": WORKBOOK_CREATED})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})
    worksheet = workbook.add_worksheet(sheet)
    for j, column in enumerate(columns):
        worksheet.write_string(0, j, column, bold)
    values = frame.select(columns).rows()
    cells = as_cell.rows()
    dates = parsed.rows()
    date_index = {c: i for i, c in enumerate(date_columns)}
    for i, row in enumerate(values, start=1):
        for j, (column, value) in enumerate(zip(columns, row)):
            if value is None:
                continue
            k = date_index.get(column)
            if k is not None and cells[i - 1][k] and dates[i - 1][k] is not None:
                worksheet.write_datetime(i, j, dt.datetime.combine(dates[i - 1][k], dt.time()), date_format)
            else:
                worksheet.write_string(i, j, value)
    for i in range(len(values) + 1, len(values) + 1 + trailing_blank_rows):
        for j in range(len(columns)):
            worksheet.write_blank(i, j, None, date_format)
    workbook.close()
