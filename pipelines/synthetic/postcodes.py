"""Plausible London postcodes: real postcode districts per borough with a well-formed inward code.

Districts straddle borough boundaries in reality; each is listed under the borough that holds
most of it. Inward codes are a digit and two letters from the Royal Mail inward alphabet (no C,
I, K, M, O or V), so they are well formed without claiming to be real delivery points.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.synthetic.draws import Draws

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

DISTRICTS_BY_BOROUGH = {
    "Barking and Dagenham": ("IG11", "RM8", "RM9", "RM10"),
    "Barnet": ("N2", "N3", "N11", "N12", "N20", "EN4", "EN5", "HA8", "NW4", "NW7", "NW9", "NW11"),
    "Bexley": ("DA5", "DA6", "DA7", "DA8", "DA14", "DA15", "DA16", "DA17", "DA18"),
    "Brent": ("HA0", "HA9", "NW2", "NW6", "NW10"),
    "Bromley": ("BR1", "BR2", "BR3", "BR4", "BR5", "BR6", "BR7", "BR8", "SE20"),
    "Camden": ("NW1", "NW3", "NW5", "WC1A", "WC1H", "WC1N", "WC1X", "WC2H"),
    "Croydon": ("CR0", "CR2", "CR7", "CR8", "SE25", "SE19", "SW16"),
    "Ealing": ("W3", "W5", "W7", "W13", "UB1", "UB2", "UB5", "UB6"),
    "Enfield": ("EN1", "EN2", "EN3", "N9", "N13", "N14", "N18", "N21"),
    "Greenwich": ("SE2", "SE3", "SE7", "SE9", "SE10", "SE18", "SE28"),
    "Hackney": ("E5", "E8", "E9", "N16", "N1"),
    "Hammersmith and Fulham": ("W6", "W12", "W14", "SW6"),
    "Haringey": ("N4", "N6", "N8", "N10", "N15", "N17", "N22"),
    "Harrow": ("HA1", "HA2", "HA3", "HA5", "HA7"),
    "Havering": ("RM1", "RM2", "RM3", "RM5", "RM7", "RM11", "RM12", "RM13", "RM14"),
    "Hillingdon": ("UB3", "UB4", "UB7", "UB8", "UB10", "HA4", "HA6"),
    "Hounslow": ("TW3", "TW4", "TW5", "TW7", "TW8", "TW13", "TW14", "W4"),
    "Islington": ("N1", "N5", "N7", "N19", "EC1V", "EC1R"),
    "Kensington and Chelsea": ("W8", "W10", "W11", "SW3", "SW5", "SW7", "SW10"),
    "Kingston upon Thames": ("KT1", "KT2", "KT3", "KT5", "KT6", "KT9"),
    "Lambeth": ("SE1", "SE11", "SE24", "SE27", "SW2", "SW4", "SW8", "SW9"),
    "Lewisham": ("SE4", "SE6", "SE8", "SE12", "SE13", "SE14", "SE23", "SE26"),
    "Merton": ("SW19", "SW20", "CR4", "SM4"),
    "Newham": ("E6", "E7", "E12", "E13", "E15", "E16"),
    "Redbridge": ("IG1", "IG2", "IG3", "IG4", "IG5", "IG6", "IG8", "E18"),
    "Richmond upon Thames": ("TW1", "TW2", "TW9", "TW10", "TW11", "TW12", "SW13", "SW14"),
    "Southwark": ("SE1", "SE5", "SE15", "SE16", "SE17", "SE21", "SE22"),
    "Sutton": ("SM1", "SM2", "SM3", "SM5", "SM6"),
    "Tower Hamlets": ("E1", "E1W", "E2", "E3", "E14"),
    "Waltham Forest": ("E4", "E10", "E11", "E17"),
    "Wandsworth": ("SW11", "SW12", "SW15", "SW17", "SW18"),
    "Westminster": ("W1D", "W1H", "W1K", "W2", "W9", "SW1A", "SW1P", "SW1V", "NW8"),
}


@lru_cache(maxsize=1)
def district_table() -> pl.DataFrame:
    """borough_name, index, district; plus the count of districts per borough."""
    rows = [(b, i, d) for b, ds in DISTRICTS_BY_BOROUGH.items() for i, d in enumerate(ds)]
    table = pl.DataFrame(rows, schema=["borough_name", "district_index", "district"], orient="row")
    return table.with_columns(
        pl.col("district_index").cast(pl.Int64),
        districts=pl.len().over("borough_name").cast(pl.Int64),
    )


def postcode(draws: Draws, key: pl.Expr, district: pl.Expr, stream: str) -> pl.Expr:
    """A clean postcode: district + one space + digit + two inward letters."""
    letters = list(INWARD_LETTERS)

    def letter(part: str) -> pl.Expr:
        return draws.integer(key, f"{stream}.{part}", 0, len(letters) - 1).replace_strict(
            list(range(len(letters))), letters
        )

    digit = draws.integer(key, f"{stream}.digit", 0, 9).cast(pl.String)
    return pl.concat_str(district, pl.lit(" "), digit, letter("l1"), letter("l2"))
