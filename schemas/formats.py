"""Identifier and code formats shared by every feed (spec/extracts.md, identifier formats)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    pattern: str
    example: str


FORMATS: dict[str, Format] = {
    "crime_ref": Format(r"^\d{7}/\d{2}$", "4012345/25"),
    "victim_ref": Format(r"^V\d{8}$", "V12345678"),
    "urn": Format(r"^01[A-Z]{2}\d{7}$", "01AB1234525"),
    "pnc": Format(r"^\d{4}/\d{7}[A-Z]$", "2019/0123456E"),
    "crn": Format(r"^[A-Z]\d{6}$", "X123456"),
    "lsoa21": Format(r"^E01\d{6}$", "E01000001"),
    # Outward code + inward code, after upper-casing and removing spaces.
    "postcode": Format(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$", "N1 9GU"),
}
