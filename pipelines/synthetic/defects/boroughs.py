"""Borough names as people actually type them.

Resolvable variants differ from the official name only in what the extracts.md matching rule
ignores (case, punctuation, "&" vs "and", "upon Thames", a leading "London Borough of", "Royal
Borough of" or "City of"); the misspellings reduce to no borough at all.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.defects.mutations import KEY
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.reference import boroughs

SPECIAL_VARIANTS = {
    "Barking and Dagenham": ["Barking & Dagenham"],
    "Hammersmith and Fulham": ["Hammersmith & Fulham", "London Borough of Hammersmith & Fulham"],
    "Kensington and Chelsea": ["Royal Borough of Kensington and Chelsea", "Kensington & Chelsea"],
    "Kingston upon Thames": ["Kingston", "Royal Borough of Kingston upon Thames"],
    "Richmond upon Thames": ["Richmond", "London Borough of Richmond upon Thames"],
    "Greenwich": ["Royal Borough of Greenwich"],
    "Westminster": ["City of Westminster"],
}
MISSPELLINGS = {
    "Barking and Dagenham": "Barking and Dagenam", "Barnet": "Barnett", "Bexley": "Bexly", "Brent": "Brentt",
    "Bromley": "Bromly", "Camden": "Camdon", "Croydon": "Croyden", "Ealing": "Ealling", "Enfield": "Enfeild",
    "Greenwich": "Greenwhich", "Hackney": "Hackny", "Hammersmith and Fulham": "Hammersmith",
    "Haringey": "Harringey", "Harrow": "Harow", "Havering": "Haverin", "Hillingdon": "Hillingdown",
    "Hounslow": "Hounslo", "Islington": "Islinton", "Kensington and Chelsea": "Kensington",
    "Kingston upon Thames": "Kingstone", "Lambeth": "Lambath", "Lewisham": "Lewisam", "Merton": "Merten",
    "Newham": "Newhamm", "Redbridge": "Redbrige", "Richmond upon Thames": "Richmound", "Southwark": "Southwalk",
    "Sutton": "Sutten", "Tower Hamlets": "Tower Hamlet", "Waltham Forest": "Waltham Forrest",
    "Wandsworth": "Wandsworh", "Westminster": "Westminister",
}
VARIANTS_PER_BOROUGH = 4


def _variants(name: str) -> list[str]:
    options = SPECIAL_VARIANTS.get(name, []) + [name.upper(), name.lower(), f"London Borough of {name}", f"{name}."]
    return options[:VARIANTS_PER_BOROUGH]


def resolvable_variant(d: Draws, name: pl.Expr) -> pl.Expr:
    table = {f"{b}|{i}": v for b in boroughs()["borough_name"] for i, v in enumerate(_variants(b))}
    index = d.integer(KEY, "borough.variant", 0, VARIANTS_PER_BOROUGH - 1).cast(pl.String)
    return pl.concat_str(name, pl.lit("|"), index).replace_strict(table, default=None)


def misspelled(name: pl.Expr) -> pl.Expr:
    return name.replace_strict(MISSPELLINGS, default=None)
