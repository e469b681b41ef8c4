"""The privacy boundary: turn a validated text frame into the rows that may be stored.

Personal data never leaves this module in clear. Names, dates of birth, postcodes and person
identifiers become keyed HMAC-SHA256 tokens of normalised values (computed in DuckDB, ~20x faster
than Python's hmac per value), plus coarse attributes analysts need (year of birth, age band,
postcode district). Direct contact details are dropped. The key's HMAC pads live only in session
variables of this connection (set through parameters, never in SQL text or the database file);
the warehouse keeps a fingerprint of the key and of the token format, and refuses tokens made
with any other key or in any other format.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.ingest import registry
from pipelines.ingest.normalise import (
    borough_match_key, compact_postcode, name_letters, postcode_district, postcode_with_one_space, soundex)
from pipelines.ingest.read import ROW_NUMBER
from pipelines.ingest.reference import borough_lookup, lsoa_borough_lookup
from schemas.contract import ColumnContract, FeedContract
from schemas.pandera_schema import PARSED_TYPES

TOKEN_MACRO = "pii_token"
# A token is the HMAC's leftmost 128 bits as 32 hexadecimal characters (truncation as RFC 2104,
# section 5, allows; two of 10^8 values collide with odds of about 10^-23). The full 64 characters
# cost twice the bytes in every raw table, join and linkage comparison for nothing: a year's first
# build took 82 s with them and 65 s with 128 bits (its linkage 27.5 s against 18.6 s). Victim keys
# derived from other feeds' records have the same length (int_linkage__victim_keys.KEY_CHARACTERS).
TOKEN_HEX_CHARACTERS = 32
AGE_BANDS = ((16, "0-15"), (25, "16-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"))


# HMAC of this fixed text under the key: recorded when the warehouse is created, compared on
# every load. It identifies the key, and the token format, without revealing the key. Version 1
# warehouses hold 64-character tokens (before 2026-12-04).
_FINGERPRINT_MESSAGES = {1: b"London Victims' Warehouse pseudonym key fingerprint, version 1",
                         2: b"London Victims' Warehouse pseudonym key fingerprint, version 2"}
TOKEN_FORMAT_VERSION = 2
REKEY_COMMAND = "mopac rebuild"


class PseudonymKeyMismatch(RuntimeError):
    """MOPAC_PSEUDONYM_KEY is not the key the warehouse was built with, or its tokens are of an
    earlier format; the message says what to do."""


def key_fingerprint(key: str, version: int = TOKEN_FORMAT_VERSION) -> str:
    return hmac.new(key.encode(), _FINGERPRINT_MESSAGES[version], hashlib.sha256).hexdigest()


def ensure_key_matches_warehouse(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Record the key's fingerprint in a new warehouse; refuse a key whose fingerprint differs.

    Tokens made with two keys, or in two formats, cannot be linked: mixing them would silently split
    every person in two.
    """
    registry.ensure_tables(con)
    recorded = con.execute("select fingerprint, recorded_at from ops.pseudonym_key").fetchone()
    if recorded is None:
        con.execute("insert into ops.pseudonym_key (fingerprint) values (?)", [key_fingerprint(key)])
    elif recorded[0] == key_fingerprint(key, version=1):
        raise PseudonymKeyMismatch(_earlier_format_message(recorded[1]))
    elif recorded[0] != key_fingerprint(key):
        raise PseudonymKeyMismatch(_mismatch_message(recorded[1]))


def _earlier_format_message(recorded_at: datetime) -> str:
    return (f"this warehouse (created {recorded_at:%Y-%m-%d %H:%M} UTC) holds tokens of 64 characters, made by an "
            f"earlier release; this release makes tokens of {TOKEN_HEX_CHARACTERS} characters, and the two cannot be "
            f"linked, so nothing was loaded. Run `{REKEY_COMMAND}` (with the same MOPAC_PSEUDONYM_KEY): it rebuilds "
            "the warehouse from the landing folder and keeps the old warehouse file aside. Published victim keys "
            f"become {TOKEN_HEX_CHARACTERS} characters long.")


def _mismatch_message(recorded_at: datetime) -> str:
    return (f"MOPAC_PSEUDONYM_KEY is not the key this warehouse was built with (its fingerprint, recorded "
            f"{recorded_at:%Y-%m-%d %H:%M} UTC, differs); nothing was loaded, because tokens made with two keys "
            "cannot be linked. Set MOPAC_PSEUDONYM_KEY to this warehouse's key (held by the MOPAC data protection "
            f"lead), or, to change the key on purpose, run `{REKEY_COMMAND}` with the new key set: it rebuilds the "
            "warehouse from the landing folder and keeps the old warehouse file aside.")


def install_token_macro(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """HMAC-SHA256 (RFC 2104) as a TEMP macro, its first TOKEN_HEX_CHARACTERS characters identical to
    Python's hmac module's hexdigest, after checking the key is the warehouse's."""
    ensure_key_matches_warehouse(con, key)
    raw = key.encode()
    if len(raw) > 64:
        raw = hashlib.sha256(raw).digest()
    padded = raw.ljust(64, b"\0")
    con.execute("set variable mopac_hmac_inner_pad = ?", [bytes(b ^ 0x36 for b in padded)])
    con.execute("set variable mopac_hmac_outer_pad = ?", [bytes(b ^ 0x5C for b in padded)])
    con.execute(
        f"create or replace temp macro {TOKEN_MACRO}(domain, msg) as "
        "left(sha256(getvariable('mopac_hmac_outer_pad') "
        f"|| unhex(sha256(getvariable('mopac_hmac_inner_pad') || encode(domain || ':' || msg)))), {TOKEN_HEX_CHARACTERS})"
    )


@dataclass(frozen=True)
class Token:
    """A keyed token column of raw.<feed>: the HMAC of `domain:value`, where the value is the
    prepared frame's `source` column (a normalised personal value that exists only in memory).
    Tokens of one domain are comparable across feeds; that is what linkage matches on."""

    column: str
    domain: str

    @property
    def source(self) -> str:
        return "_pii_" + self.column.removesuffix("_token")


def tokens(contract: FeedContract) -> list[Token]:
    found = []
    for col in contract.columns:
        if col.pii == "name":
            found.append(Token(f"{col.name}_token", "name"))
            found += [Token(f"{col.name}_{reduced}_token", reduced) for reduced in col.reduced_tokens]
        elif col.pii == "identifier":
            found.append(Token(f"{col.name}_token", col.format or col.name))
        elif col.pii == "postcode":
            found.append(Token(f"{col.name}_token", "postcode"))
        elif col.pii == "date_of_birth":
            found.append(Token(f"{col.name}_token", "dob"))
            if "unordered_day_month" in col.reduced_tokens:
                found.append(Token(f"{col.name}_unordered_day_month_token", "dob_unordered"))
    return found


def _age_band(dob: pl.Expr, at: pl.Expr) -> pl.Expr:
    had_birthday = (at.dt.month() * 100 + at.dt.day()) >= (dob.dt.month() * 100 + dob.dt.day())
    age = at.dt.year() - dob.dt.year() - (~had_birthday).cast(pl.Int32)
    band = pl.when(dob.is_null() | at.is_null()).then(pl.lit("Unknown"))
    for upper, label in AGE_BANDS:
        band = band.when(age < upper).then(pl.lit(label))
    return band.otherwise(pl.lit("65+"))


# Personal values whose normalised forms depend on the value alone and repeat a great deal (a
# surname's Soundex, a postcode's district): computed once per distinct value, then joined back.
_FORMS_PER_DISTINCT_VALUE = ("name", "postcode", "date_of_birth")


def _value_forms(col: ColumnContract) -> list[pl.Expr]:
    """The normalised token inputs (prefixed `_pii_`) and coarse attributes of a personal value."""
    value = pl.col(col.name)
    if col.pii == "name":
        letters = name_letters(value)
        forms = [letters.alias(f"_pii_{col.name}")]
        if "initial" in col.reduced_tokens:
            forms.append(letters.str.slice(0, 1).alias(f"_pii_{col.name}_initial"))
        if "soundex" in col.reduced_tokens:
            forms.append(soundex(letters).alias(f"_pii_{col.name}_soundex"))
        return forms
    if col.pii == "postcode":
        compact = compact_postcode(value)
        return [postcode_with_one_space(compact).alias(f"_pii_{col.name}"),
                postcode_district(compact).alias(f"{col.name}_district")]
    # a date of birth, already typed by validation (the one date parser)
    forms = [value.dt.strftime("%Y-%m-%d").alias(f"_pii_{col.name}"),
             value.dt.year().cast(pl.Int64).alias(f"{col.name.removesuffix('_dob')}_birth_year")]
    if "unordered_day_month" in col.reduced_tokens:
        day, month = value.dt.day(), value.dt.month()
        forms.append(pl.format("{}-{}-{}", value.dt.year(), pl.min_horizontal(day, month),
                               pl.max_horizontal(day, month)).alias(f"_pii_{col.name}_unordered_day_month"))
    return forms


def _row_forms(col: ColumnContract) -> list[pl.Expr]:
    """This column's storable forms computed row by row (columnar, but not per distinct value)."""
    value = pl.col(col.name)
    if col.pii in ("contact", "name", "postcode"):
        return []
    if col.pii == "identifier":
        return [value.str.to_uppercase().alias(f"_pii_{col.name}")]
    if col.pii == "date_of_birth":
        return [_age_band(value, pl.col(col.age_at)).alias(f"{col.name.removesuffix('_dob')}_age_band")] \
            if col.age_at else []
    if col.type in PARSED_TYPES:  # typed by validation (the one parser)
        return [value]
    if col.type == "yes_no":
        return [(value.str.to_uppercase() == "Y").alias(col.name)]
    if col.type == "boolean":
        return [(value.str.to_lowercase() == "true").alias(col.name)]
    if col.type == "borough":
        return [value.alias(col.name), borough_match_key(value).alias("_borough_key")]
    if col.type == "lsoa":
        return [value.str.to_uppercase().alias(col.name), value.str.to_uppercase().alias("_lsoa_key")]
    if col.type == "postcode":
        return [postcode_with_one_space(compact_postcode(value)).alias(col.name)]
    if col.allowed:
        canonical = {a.lower(): a for a in col.allowed}
        return [value.str.to_lowercase().replace_strict(canonical, default=None).alias(col.name)]
    if col.format:
        return [value.str.to_uppercase().alias(col.name)]
    return [value.alias(col.name)]


def prepare(accepted: pl.DataFrame, contract: FeedContract) -> pl.DataFrame:
    """Every storable column of raw.<feed> except the tokens, plus the tokens' normalised inputs
    (prefixed `_pii_`), which exist only in memory and are tokenised on their way in."""
    typed = accepted.select(pl.col(ROW_NUMBER).cast(pl.Int64), *[f for col in contract.columns for f in _row_forms(col)])
    for col in contract.columns:
        if col.pii in _FORMS_PER_DISTINCT_VALUE:
            forms = accepted.select(pl.col(col.name).unique()).with_columns(_value_forms(col))
            typed = (typed.with_columns(accepted.get_column(col.name))
                     .join(forms, on=col.name, how="left", nulls_equal=True, maintain_order="left")
                     .drop(col.name))
    if "_borough_key" in typed.columns:
        typed = (typed.join(borough_lookup(), left_on="_borough_key", right_on="borough_key", how="left",
                            maintain_order="left")
                 .drop("_borough_key"))
    if "_lsoa_key" in typed.columns:
        typed = (typed.join(lsoa_borough_lookup(), left_on="_lsoa_key", right_on="lsoa_code", how="left",
                            maintain_order="left")
                 .drop("_lsoa_key"))
    return typed


def stored_name(col: ColumnContract) -> str:
    """The raw column that holds this contract column (a person identifier is held as its token)."""
    return f"{col.name}_token" if col.pii == "identifier" else col.name


def raw_columns(contract: FeedContract) -> list[tuple[str, str]]:
    """(name, description) of every column raw.<feed> holds, in the order the load writes them
    before lineage: the dbt source and the feed docs are generated from this list."""
    stored: list[tuple[str, str]] = []
    tokens: list[tuple[str, str]] = []
    for col in contract.columns:
        if col.pii == "contact":
            continue
        if col.pii == "postcode":
            stored.append((f"{col.name}_district", f"Postcode district (outward code) of {col.name}."))
            tokens.append((f"{col.name}_token", f"Keyed token of the normalised {col.name}."))
        elif col.pii == "name":
            tokens.append((f"{col.name}_token", f"Keyed token of {col.name} (letters only, upper case)."))
            for reduced in col.reduced_tokens:
                tokens.append((f"{col.name}_{reduced}_token", f"Keyed token of the {reduced} of {col.name}."))
        elif col.pii == "identifier":
            tokens.append((f"{col.name}_token", f"Keyed token of {col.name} (pseudonymous person identifier)."))
        elif col.pii == "date_of_birth":
            person = col.name.removesuffix("_dob")
            tokens.append((f"{col.name}_token", f"Keyed token of {col.name}."))
            for reduced in col.reduced_tokens:
                tokens.append((f"{col.name}_{reduced}_token", f"Keyed token of {col.name}'s year with its day and month in either order."))
            tokens.append((f"{person}_birth_year", f"Year of birth from {col.name}."))
            if col.age_at:
                tokens.append((f"{person}_age_band", f"Age band at {col.age_at}: {', '.join(b for _, b in AGE_BANDS)}, 65+, Unknown."))
        else:
            stored.append((col.name, col.description))
    stored += [("borough_code", f"GSS code of the Met borough {c.name} resolves to"
                                + (" (blank when it resolves to none)." if c.unresolved == "keep" else "."))
               for c in contract.columns if c.type == "borough"]
    stored += [("borough_code", f"GSS code of the London borough holding LSOA {c.name} (2011 or 2021 code); "
                                "blank outside London.") for c in contract.columns if c.type == "lsoa"]
    return stored + tokens
