"""Identifier and code formats (spec/extracts.md, identifier formats and each feed's id rules).

Values are checked after trimming and upper-casing, so patterns are written in upper case.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    pattern: str
    example: str
    # 'pnc': the last letter must be ZABCDEFGHJKLMNPQRTUVWXY[int(YY + NNNNNNN) mod 23] (extracts.md)
    checksum: str | None = None


PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

FORMATS: dict[str, Format] = {
    "crime_ref": Format(r"^\d{7}/\d{2}$", "4012345/25"),
    "victim_ref": Format(r"^V\d{8}$", "V12345678"),
    "urn": Format(r"^01[A-Z]{2}\d{7}$", "01AB1234525"),
    "pnc": Format(r"^\d{4}/\d{7}[A-Z]$", "2019/0123456E", checksum="pnc"),
    "crn": Format(r"^[A-Z]\d{6}$", "X123456"),
    "lsoa21": Format(r"^E01\d{6}$", "E01000001"),
    # Outward code + inward code, after upper-casing and removing spaces.
    "postcode": Format(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$", "N1 9GU"),
    "response_id": Format(r"^USS\d{7}$", "USS0012345"),
    "hearing_id": Format(r"^H\d{9}$", "H123456789"),
    "vcs_case_id": Format(r"^VCS\d{7}$", "VCS0001234"),
    "rj_case_id": Format(r"^RJL-\d{6}$", "RJL-000123"),
    "hub_referral_id": Format(r"^[A-Z]{3}-\d{5}$", "BAR-00012"),
    "police_uk_crime_id": Format(r"^[0-9A-F]{64}$", "44e867857e8c09b2...(64 hexadecimal digits)"),
}
