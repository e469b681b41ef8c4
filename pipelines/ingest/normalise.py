"""Columnar normalisers (Polars expressions) applied before validation and tokenising.

Each takes and returns an expression, so a whole column is handled in one vectorised pass.
"""
from __future__ import annotations

import re

import polars as pl

_BOROUGH_PREFIXES = r"^(city of|london borough of|royal borough of) "
_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"), **dict.fromkeys("CGJKQSXZ", "2"), **dict.fromkeys("DT", "3"),
    "L": "4", **dict.fromkeys("MN", "5"), "R": "6", **dict.fromkeys("AEIOUY", "0"),
}


_DATE_FIELD_SHAPES = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}


def date_shape(date_format: str) -> str:
    """The exact text shape of a strftime format: '%d/%m/%Y' -> '^\\d{2}/\\d{2}/\\d{4}$'."""
    parts = re.split(r"(%[A-Za-z])", date_format)
    return "^" + "".join(_DATE_FIELD_SHAPES[p] if p in _DATE_FIELD_SHAPES else re.escape(p) for p in parts) + "$"


def parse_date(expr: pl.Expr, date_format: str) -> pl.Expr:
    """The one date parser: a valid calendar date written exactly in the feed's format, else null.
    A format without a day ('%Y-%m', '%Y%m') gives the first of the month.

    Polars' own parsing is lenient ('2025-4-5', and '05/04/25' as the year 25 under '%d/%m/%Y'),
    so the text must first have the format's exact shape.
    """
    text, fmt = (expr, date_format) if "%d" in date_format else (expr + "|01", date_format + "|%d")
    return pl.when(expr.str.contains(date_shape(date_format))).then(text.str.to_date(fmt, strict=False))


def parse_timestamp(expr: pl.Expr, date_format: str) -> pl.Expr:
    """A valid date and time written exactly in the format, else null."""
    return pl.when(expr.str.contains(date_shape(date_format))).then(
        expr.str.to_datetime(date_format, time_unit="us", strict=False))


def parse_integer(expr: pl.Expr) -> pl.Expr:
    """Whole numbers written as digits (an optional sign), else null: '12', not '12.0' or '1e3'."""
    return pl.when(expr.str.contains(r"^[+-]?\d+$")).then(expr.cast(pl.Int64, strict=False))


def parse_number(expr: pl.Expr) -> pl.Expr:
    """Decimal numbers ('-0.1408', '51.54', and '5.3e-05' as data.police.uk writes longitudes near
    Greenwich), else null."""
    return pl.when(expr.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")).then(expr.cast(pl.Float64, strict=False))


def lenient_crime_ref(expr: pl.Expr) -> pl.Expr:
    """What can safely be recovered of a typed crime reference (extracts.md, council_hub): spaces
    removed, and a missing slash restored in nine digits (7 + '/' + 2). Never a guessed year."""
    compact = expr.str.replace_all(r"\s", "")
    return (pl.when(compact.str.contains(r"^\d{9}$"))
            .then(pl.concat_str(compact.str.slice(0, 7), pl.lit("/"), compact.str.slice(7)))
            .otherwise(compact))


# Contract `normalise:` words, applied to the trimmed text before any check and stored as normalised.
NORMALISERS = {"crime_ref": lenient_crime_ref}


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    trimmed = expr.str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed)


def borough_match_key(expr: pl.Expr) -> pl.Expr:
    """The extracts.md rule: ignore case, punctuation, '&' vs 'and', the suffix 'upon Thames' and
    a leading 'City of' / 'London Borough of' / 'Royal Borough of'."""
    words = (
        expr.str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )
    return words.str.replace(_BOROUGH_PREFIXES, "").str.replace(r" upon thames$", "")


def compact_postcode(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_uppercase().str.replace_all(r"\s+", "")


def postcode_with_one_space(compact: pl.Expr) -> pl.Expr:
    """'N19GU' -> 'N1 9GU' (the inward code is always the last three characters)."""
    return pl.concat_str([compact.str.slice(0, compact.str.len_chars() - 3), pl.lit(" "), compact.str.slice(-3)])


def postcode_district(compact: pl.Expr) -> pl.Expr:
    return compact.str.slice(0, compact.str.len_chars() - 3)


def name_letters(expr: pl.Expr) -> pl.Expr:
    """Upper-case letters only, accents removed: "O'Brien-Zoë" -> 'OBRIENZOE'."""
    letters = expr.str.normalize("NFKD").str.to_uppercase().str.replace_all(r"[^A-Z]", "")
    return pl.when(letters == "").then(None).otherwise(letters)


def soundex(letters: pl.Expr) -> pl.Expr:
    """American Soundex of an upper-case letters-only name ('ROBERT' -> 'R163').

    H and W are dropped (so equal codes either side of them merge); vowels become '0' so that they
    separate equal codes; runs of one code collapse; the first letter's own code is then dropped.
    """
    first = letters.str.slice(0, 1)
    # A leading H or W has no code, but must still occupy the first position.
    body = pl.concat_str([first.str.replace(r"^[HW]$", "0"), letters.str.slice(1).str.replace_all(r"[HW]", "")])
    codes = body.str.replace_many(list(_SOUNDEX_CODES), list(_SOUNDEX_CODES.values()))
    for digit in "0123456":
        codes = codes.str.replace_all(f"{digit}+", digit)
    tail = codes.str.slice(1).str.replace_all("0", "")
    return pl.concat_str([first, tail.str.pad_end(3, "0").str.slice(0, 3)])
