"""The ground truth beside the landing folder: Parquet tables and a manifest.

people and records are streamed to disk month by month so memory stays bounded; defects, files
and metrics are small and written at the end. A file re-sent under a name already delivered is
written under `resent/<feed>/<file>` here (RESENT_DIR), to be landed after a build has taken the
first delivery (see pipelines/synthetic/__init__.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines.synthetic.people import PEOPLE_SCHEMA

RESENT_DIR = "resent"
RECORD_SCHEMA = {
    "feed": pl.String, "file_name": pl.String, "delivery": pl.Int64, "row_number": pl.Int64, "record_key": pl.String,
    "person_id": pl.Int64, "crime_id": pl.Int64,
}
DEFECT_SCHEMA = {
    "feed": pl.String, "file_name": pl.String, "delivery": pl.Int64, "row_number": pl.Int64, "record_key": pl.String,
    "column": pl.String, "defect": pl.String, "severity": pl.String, "check": pl.String,
}
FILE_SCHEMA = {
    "feed": pl.String, "file_name": pl.String, "delivery": pl.Int64, "sha256": pl.String,
    "period_month": pl.Date, "snapshot_date": pl.Date, "version": pl.Int64, "rows": pl.Int64,
    "expected_status": pl.String, "expected_warning": pl.String, "encoding": pl.String,
}


class _Stream:
    """Append-only Parquet file with a fixed schema."""

    def __init__(self, path: Path, schema: dict):
        self.schema = schema
        self.arrow_schema = pl.DataFrame(schema=schema).to_arrow().schema
        self.writer = pq.ParquetWriter(path, self.arrow_schema)

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height:
            self.writer.write_table(frame.select([pl.col(c).cast(t) for c, t in self.schema.items()]).to_arrow())

    def close(self) -> None:
        self.writer.close()


class TruthWriter:
    def __init__(self, truth_dir: Path):
        truth_dir.mkdir(parents=True, exist_ok=True)
        self.dir = truth_dir
        self.people = _Stream(truth_dir / "people.parquet", PEOPLE_SCHEMA)
        self.records = _Stream(truth_dir / "records.parquet", RECORD_SCHEMA)
        self._defects: list[pl.DataFrame] = []
        self._files: list[dict] = []

    def add_people(self, people: pl.DataFrame) -> None:
        self.people.write(people.sort("person_id"))

    def add_records(self, records: pl.DataFrame) -> None:
        self.records.write(records)

    def add_defects(self, defects: pl.DataFrame) -> None:
        self._defects.append(defects.select([pl.col(c).cast(t) for c, t in DEFECT_SCHEMA.items()]))

    def add_file(self, **row) -> None:
        self._files.append(row)

    def supersede(self, file_name: str, delivery: int = 1) -> None:
        for row in self._files:
            if row["file_name"] == file_name and row["delivery"] == delivery:
                row["expected_status"] = "superseded"

    @property
    def files(self) -> pl.DataFrame:
        return pl.DataFrame(self._files, schema=FILE_SCHEMA)

    def close(self, metrics: pl.DataFrame, manifest: dict) -> None:
        self.people.close()
        self.records.close()
        defects = pl.concat([pl.DataFrame(schema=DEFECT_SCHEMA), *self._defects])
        defects.write_parquet(self.dir / "defects.parquet")
        self.files.write_parquet(self.dir / "files.parquet")
        metrics.write_parquet(self.dir / "metrics.parquet")
        (self.dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
