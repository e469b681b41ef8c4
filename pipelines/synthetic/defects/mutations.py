"""Vectorised ways values go wrong. Each returns the new (string) value as an expression; the
randomness is keyed on the record so a record goes wrong the same way in every delivery."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.draws import Draws

KEY = pl.col("_rid")


def swap_adjacent(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    """Swap two neighbouring characters (a typo): "Sarah" -> "Saarh"."""
    n = value.str.len_chars()
    p = (d.uniform(KEY, stream) * (n - 1)).floor().cast(pl.Int64).clip(0)
    return pl.concat_str(value.str.slice(0, p), value.str.slice(p + 1, 1), value.str.slice(p, 1), value.str.slice(p + 2))


def drop_char(d: Draws, value: pl.Expr, stream: str, keep_first: bool = True) -> pl.Expr:
    n = value.str.len_chars()
    low = 1 if keep_first else 0
    p = (pl.lit(low) + d.uniform(KEY, stream) * (n - low)).floor().cast(pl.Int64)
    return pl.concat_str(value.str.slice(0, p), value.str.slice(p + 1))


def double_char(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    n = value.str.len_chars()
    p = (d.uniform(KEY, stream) * n).floor().cast(pl.Int64)
    return pl.concat_str(value.str.slice(0, p + 1), value.str.slice(p))


def name_typo(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    u = d.uniform(KEY, stream + ".how")
    typo = (
        pl.when(u < 0.4).then(swap_adjacent(d, value, stream))
        .when(u < 0.7).then(drop_char(d, value, stream))
        .otherwise(double_char(d, value, stream))
    )
    # Swapping two equal letters changes nothing; a doubled letter always does.
    return pl.when(typo == value).then(double_char(d, value, stream)).otherwise(typo)


def replace_digit(d: Draws, value: pl.Expr, stream: str, first: int, count: int) -> pl.Expr:
    """Change one digit among positions [first, first+count) to a different digit (format kept)."""
    p = first + (d.uniform(KEY, stream) * count).floor().cast(pl.Int64)
    old = value.str.slice(p, 1).cast(pl.Int64, strict=False).fill_null(0)
    new = ((old + d.integer(KEY, stream + ".by", 1, 9)) % 10).cast(pl.String)
    return pl.concat_str(value.str.slice(0, p), new, value.str.slice(p + 1))


def iso_swap_day_month(value: pl.Expr) -> pl.Expr:
    """"2025-03-07" -> "2025-07-03"."""
    return pl.concat_str(value.str.slice(0, 5), value.str.slice(8, 2), pl.lit("-"), value.str.slice(5, 2), value.str.slice(10))


def dmy_swap_day_month(value: pl.Expr) -> pl.Expr:
    """"07/03/2025" -> "03/07/2025"."""
    return pl.concat_str(value.str.slice(3, 2), pl.lit("/"), value.str.slice(0, 2), value.str.slice(5))


def iso_day_and_month_swappable(value: pl.Expr) -> pl.Expr:
    """True where swapping gives a different real date (day 1-12 and not equal to the month)."""
    day, month = value.str.slice(8, 2).cast(pl.Int64, strict=False), value.str.slice(5, 2).cast(pl.Int64, strict=False)
    return (day <= 12) & (day != month)


def dmy_day_and_month_swappable(value: pl.Expr) -> pl.Expr:
    day, month = value.str.slice(0, 2).cast(pl.Int64, strict=False), value.str.slice(3, 2).cast(pl.Int64, strict=False)
    return (day <= 12) & (day != month)


def iso_to_dmy(value: pl.Expr) -> pl.Expr:
    """An ISO date written the British way: a format error in an ISO field."""
    return pl.concat_str(value.str.slice(8, 2), pl.lit("/"), value.str.slice(5, 2), pl.lit("/"), value.str.slice(0, 4))


def dmy_to_iso(value: pl.Expr) -> pl.Expr:
    return pl.concat_str(value.str.slice(6, 4), pl.lit("-"), value.str.slice(3, 2), pl.lit("-"), value.str.slice(0, 2))


def impossible_iso_date(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    """The same year and month with day 30 of February or day 32."""
    return pl.concat_str(value.str.slice(0, 4), pl.lit("-"), pl.when(d.uniform(KEY, stream) < 0.5).then(pl.lit("02-30")).otherwise(pl.concat_str(value.str.slice(5, 2), pl.lit("-32"))))


def impossible_dmy_date(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    return pl.concat_str(pl.when(d.uniform(KEY, stream) < 0.5).then(pl.lit("30/02")).otherwise(pl.concat_str(pl.lit("32/"), value.str.slice(3, 2))), value.str.slice(5))


def iso_shift(value: pl.Expr, days: pl.Expr) -> pl.Expr:
    """An ISO date moved by `days` (negative = earlier)."""
    date = value.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return (date + pl.duration(days=days)).dt.strftime("%Y-%m-%d")


def dmy_shift(value: pl.Expr, days: pl.Expr) -> pl.Expr:
    date = value.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    return (date + pl.duration(days=days)).dt.strftime("%d/%m/%Y")


def pick(d: Draws, stream: str, options: list[str]) -> pl.Expr:
    return d.integer(KEY, stream, 0, len(options) - 1).replace_strict(list(range(len(options))), options)


def wrong_check_letter(value: pl.Expr) -> pl.Expr:
    """A PNC ID with the next check letter in the alphabet: right format, wrong check."""
    letters = "ZABCDEFGHJKLMNPQRTUVWXY"
    shifted = {c: letters[(i + 1) % len(letters)] for i, c in enumerate(letters)}
    return pl.concat_str(value.str.slice(0, 12), value.str.slice(12, 1).replace_strict(shifted, default="A"))


def postcode_variant(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    """Accepted forms of a good postcode: lower case, or no space."""
    return pl.when(d.uniform(KEY, stream) < 0.5).then(value.str.to_lowercase()).otherwise(value.str.replace(" ", "", literal=True))


def broken_postcode(d: Draws, value: pl.Expr, stream: str) -> pl.Expr:
    """Not a postcode in any spelling: the inward part cut short, or letters and digits swapped."""
    return pl.when(d.uniform(KEY, stream) < 0.5).then(value.str.slice(0, value.str.len_chars() - 1)).otherwise(
        pl.concat_str(value.str.split(" ").list.first(), pl.lit(" "), pl.lit("AB1"))
    )
