"""A wide table turned long: the London Datastore's one column per month becomes one row per month.

Built on any format's reader (the Datastore's file is a CSV). The rows keep the delivered row's
number, so a finding names the row the sender sees, and a row's rows are loaded or quarantined
together; blank cells are no record.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from pipelines.ingest.read import ROW_NUMBER, Batch, DeliveryRows, UnreadableFile
from schemas.contract import Unpivot


class UnpivotedRows:
    def __init__(self, rows: DeliveryRows, unpivot: Unpivot, file_name: str):
        self._rows, self._unpivot = rows, unpivot
        pattern = re.compile(unpivot.header_pattern)
        self._periods = [c for c in rows.columns if pattern.match(c)]
        if not self._periods:
            raise UnreadableFile(f"{file_name} has no column whose header is a period ({unpivot.header_pattern}); "
                                 "ask the sender to re-send the wide table as published.")
        self._ids = [c for c in rows.columns if c not in self._periods]
        self.columns = [*self._ids, unpivot.name, unpivot.value]
        self.warnings = rows.warnings
        self.rows_received = 0

    def __iter__(self) -> Iterator[Batch]:
        for batch in self._rows:
            long = batch.frame.unpivot(index=[ROW_NUMBER, *self._ids], on=self._periods,
                                       variable_name=self._unpivot.name, value_name=self._unpivot.value)
            yield Batch(long.filter(pl.col(self._unpivot.value).str.strip_chars() != ""), batch.row_findings)
        self.rows_received = self._rows.rows_received
