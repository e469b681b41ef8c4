"""Which reader reads a feed's files: chosen by the contract's format (and unpivot)."""
from __future__ import annotations

from pathlib import Path

from pipelines.ingest.landing import FileScan
from pipelines.ingest.read import DeliveryRows
from pipelines.ingest.read_csv import CsvRows
from pipelines.ingest.read_jsonl import JsonLinesRows
from pipelines.ingest.read_wide import UnpivotedRows
from pipelines.ingest.read_xlsx import XlsxRows
from schemas.contract import FeedContract

READERS = {"csv": CsvRows, "jsonl": JsonLinesRows, "xlsx": XlsxRows}


def open_rows(contract: FeedContract, path: Path, scan: FileScan) -> DeliveryRows:
    rows = READERS[contract.format](path, scan, contract)
    return UnpivotedRows(rows, contract.unpivot, path.name) if contract.unpivot else rows
