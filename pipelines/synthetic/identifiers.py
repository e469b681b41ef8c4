"""Identifier formats of extracts.md, and vectorised builders of valid identifiers.

Builders turn internal integer ids into identifiers through affine permutations, so distinct ids
give distinct identifiers without any lookup table, and the identifiers do not look sequential.
"""

from __future__ import annotations

import polars as pl

CRIME_REF = r"^\d{7}/\d{2}$"
VICTIM_REF = r"^V\d{8}$"
URN = r"^01[A-Z]{2}\d{7}$"
PNC = r"^\d{4}/\d{7}[A-Z]$"
CRN = r"^[A-Z]\d{6}$"
POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
LSOA21 = r"^E01\d{6}$"
RESPONSE_ID = r"^USS\d{7}$"
HEARING_ID = r"^H\d{9}$"
VCS_CASE_ID = r"^VCS\d{7}$"
RJ_CASE_ID = r"^RJL-\d{6}$"
HUB_REFERRAL_ID = r"^[A-Z]{3}-\d{5}$"

PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
CRN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _permute(ids: pl.Expr, modulus: int, multiplier: int, offset: int) -> pl.Expr:
    """A bijection of [0, modulus): multiplier must be coprime with modulus."""
    return (ids.cast(pl.Int64) * multiplier + offset) % modulus


def _digits(value: pl.Expr, width: int) -> pl.Expr:
    return value.cast(pl.String).str.zfill(width)


def crime_ref(crime_id: pl.Expr, report_year: pl.Expr) -> pl.Expr:
    """7 digits (first digit non-zero) + "/" + the report year's last two digits."""
    serial = 1_000_000 + _permute(crime_id, 9_000_000, 7_368_787, 2_468_013)
    return pl.concat_str(serial.cast(pl.String), pl.lit("/"), _digits(report_year % 100, 2))


def victim_ref(person_id: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("V"), _digits(_permute(person_id, 100_000_000, 61_803_399, 31_415_927), 8))


def urn(unit: pl.Expr, serial: pl.Expr, year: pl.Expr) -> pl.Expr:
    """"01" + 2-letter police unit + 5-digit serial + 2-digit year."""
    return pl.concat_str(pl.lit("01"), unit, _digits(serial, 5), _digits(year % 100, 2))


def pnc_check_letter(year: pl.Expr, serial: pl.Expr) -> pl.Expr:
    """Check letter = letters[int(YY + NNNNNNN) mod 23] with YY the year's last two digits."""
    number = (year.cast(pl.Int64) % 100) * 10_000_000 + serial.cast(pl.Int64)
    return (number % 23).replace_strict(list(range(23)), list(PNC_CHECK_LETTERS))


def pnc(year: pl.Expr, serial: pl.Expr) -> pl.Expr:
    return pl.concat_str(year.cast(pl.String), pl.lit("/"), _digits(serial, 7), pnc_check_letter(year, serial))


def pnc_serial(offender_id: pl.Expr) -> pl.Expr:
    return _permute(offender_id, 10_000_000, 3_141_593, 1_234_567)


def crn(offender_id: pl.Expr) -> pl.Expr:
    number = _permute(offender_id, 23_000_000, 2_718_283, 5_550_001)
    letter = (number // 1_000_000).replace_strict(list(range(23)), list(CRN_LETTERS))
    return pl.concat_str(letter, _digits(number % 1_000_000, 6))


def prefixed(prefix: str, serial: pl.Expr, width: int) -> pl.Expr:
    return pl.concat_str(pl.lit(prefix), _digits(serial, width))


def valid_pnc(value: pl.Expr) -> pl.Expr:
    """True where `value` has the PNC format and the right check letter."""
    year = value.str.slice(0, 4).cast(pl.Int64, strict=False)
    serial = value.str.slice(5, 7).cast(pl.Int64, strict=False)
    expected = pnc_check_letter(year.fill_null(0), serial.fill_null(0))
    return value.str.contains(PNC) & (value.str.slice(12, 1) == expected)


def hearing_id(hearing_key: pl.Expr) -> pl.Expr:
    return prefixed("H", _permute(hearing_key, 1_000_000_000, 387_420_489, 123_456_789), 9)


def response_id(victim_row_id: pl.Expr) -> pl.Expr:
    return prefixed("USS", _permute(victim_row_id, 10_000_000, 7_654_321, 1_000_003), 7)


def vcs_case_id(vcs_key: pl.Expr) -> pl.Expr:
    return prefixed("VCS", _permute(vcs_key, 10_000_000, 2_345_679, 4_000_037), 7)
