"""Shared fixtures: a hand-written police_crimes file builder, and isolated warehouse settings; the dbt
manifest prepared once per session."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from schemas.contract import load_contracts

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
