"""Shared fixtures: a hand-written police_crimes file builder; whole-file read and validation
through the real streaming reader and validator; the dbt manifest prepared once per session."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.landing import scan_file
from pipelines.ingest.read import ROW_NUMBER
from pipelines.ingest.read_csv import CsvRows
from pipelines.ingest.validate import FileValidation, rows_failed
from schemas.contract import FeedContract, load_contracts
from schemas.pandera_schema import RuleContext

POLICE_COLUMNS = [c.name for c in load_contracts()["police_crimes"].columns]


def pytest_configure(config: pytest.Config) -> None:
    """The dbt manifest the definitions load, prepared once per session when a dbt file changed
    since it was prepared (`make test` has usually done it already)."""
    from pipelines.defs.dbt_project import prepare_if_stale

    prepare_if_stale()


def police_row(**overrides: str) -> dict[str, str]:
    """A valid police_crimes row (report month 2025-04); override any column."""
    row = {
        "crime_ref": "4012345/25", "victim_ref": "V12345678", "report_date": "2025-04-04",
        "offence_date": "2025-04-01", "offence_group": "Burglary", "offence_subgroup": "Burglary - Residential",
        "hate_crime": "N", "domestic_abuse": "N", "borough": "Camden", "lsoa21_code": "E01000907",
        "victim_forename": "John", "victim_surname": "Smith", "victim_dob": "1980-05-01",
        "victim_postcode": "N1 9GU", "victim_phone": "07700900000", "victim_email": "john@example.org",
        "victim_gender": "M", "victim_ethnicity": "W1", "enhanced_rights": "N",
        "needs_assessment_date": "2025-04-05", "support_consent": "Y", "support_referral_date": "2025-04-08",
        "rj_info_date": "2025-04-09",
    }
    row.update(overrides)
    return row


def write_police_file(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None,
                      encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = columns or POLICE_COLUMNS
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def numbered_rows():
    """n distinct valid rows (distinct crime and victim refs)."""
    def make(n: int, **overrides: str) -> list[dict[str, str]]:
        return [police_row(crime_ref=f"40{i:05d}/25", victim_ref=f"V{i:08d}", **overrides) for i in range(1, n + 1)]
    return make


@dataclass
class WholeFile:
    """What the reader and the validator make of a whole file, as the ingest step sees it."""

    frame: pl.DataFrame  # read rows, or the accepted rows once validated
    findings: pl.DataFrame
    rows_received: int
    warnings: list[str]

    @property
    def rows_quarantined(self) -> int:
        return rows_failed(self.findings).len()

    @property
    def fields_nulled(self) -> int:
        return self.findings.filter(pl.col("severity") == "field").height


def read_whole_file(path: Path, contract: FeedContract | None = None) -> WholeFile:
    rows = CsvRows(path, scan_file(path), contract or load_contracts()["police_crimes"])
    batches = list(rows)
    return WholeFile(pl.concat([b.frame for b in batches]), pl.concat([b.row_findings for b in batches]),
                     rows.rows_received, rows.warnings)


def validate_whole_file(path: Path, contract: FeedContract, context: RuleContext) -> WholeFile:
    rows = CsvRows(path, scan_file(path), contract)
    validation = FileValidation(contract, context, rows.columns)
    accepted = pl.concat([validation.batch(batch) for batch in rows])
    findings = validation.finish()
    kept = accepted.filter(~pl.col(ROW_NUMBER).is_in(rows_failed(findings).implode()))
    return WholeFile(kept, findings, rows.rows_received, rows.warnings + validation.warnings)
