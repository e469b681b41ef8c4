"""People: every attribute is a keyed function of person_id, so a repeat victim looks the same
in every record and no attribute table has to be carried from month to month."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import ETHNICITY_CODES
from pipelines.synthetic.draws import Draws, weighted_index
from pipelines.synthetic.names import NICKNAMES, TRADITION_OF_ETHNICITY, list_sizes, name_table
from pipelines.synthetic.postcodes import district_table, postcode
from pipelines.synthetic.reference import borough_names

# London's self-defined ethnicity mix (2021 Census shares, rounded), before "not stated".
ETHNICITY_WEIGHTS = (36.8, 1.8, 14.7, 1.5, 0.8, 1.2, 2.0, 7.5, 3.3, 3.7, 5.9, 3.9, 7.9, 2.1, 1.7, 3.0)
NOT_STATED_SHARE = 0.09

VICTIM_AGE_BANDS = ((0, 15, 9), (16, 24, 17), (25, 34, 24), (35, 44, 20), (45, 54, 14), (55, 64, 9), (65, 94, 7))
OFFENDER_AGE_BANDS = ((16, 17, 6), (18, 24, 30), (25, 34, 32), (35, 44, 18), (45, 54, 9), (55, 70, 5))

EMAIL_DOMAINS = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com", "btinternet.com")

PEOPLE_SCHEMA = {
    "person_id": pl.Int64,
    "role": pl.String,
    "forename": pl.String,
    "nickname": pl.String,
    "surname": pl.String,
    "gender": pl.String,
    "dob": pl.Date,
    "ethnicity": pl.String,
    "postcode": pl.String,
    "home_borough_code": pl.String,
    "phone": pl.String,
    "email": pl.String,
    "victim_ref": pl.String,
    "pnc": pl.String,
    "crn": pl.String,
}


def make_people(draws: Draws, people: pl.DataFrame, reference_date: dt.date) -> pl.DataFrame:
    """Attributes for `people` (person_id, role, home_borough_code, p_female, police_victim).

    Ages are drawn as at `reference_date` (the window start), so a person's date of birth does
    not depend on when they first appear.
    """
    key = pl.col("person_id")
    is_offender = pl.col("role") == "offender"
    frame = people.with_columns(
        gender=pl.when(draws.uniform(key, "person.gender.unknown") < pl.when(is_offender).then(0.005).otherwise(0.04))
        .then(pl.lit("U"))
        .when(draws.uniform(key, "person.gender.x") < 0.006)
        .then(pl.lit("X"))
        .when(draws.uniform(key, "person.gender") < pl.col("p_female"))
        .then(pl.lit("F"))
        .otherwise(pl.lit("M")),
        ethnicity=pl.when(draws.uniform(key, "person.ethnicity.stated") < NOT_STATED_SHARE)
        .then(pl.lit("NS"))
        .otherwise(draws.choice(key, "person.ethnicity", ETHNICITY_CODES[:-1], ETHNICITY_WEIGHTS)),
        dob=_dob(draws, key, is_offender, reference_date),
        home_borough_name=pl.col("home_borough_code").replace_strict(borough_names()),
    )
    frame = frame.with_columns(
        tradition=pl.col("ethnicity").replace_strict(TRADITION_OF_ETHNICITY),
        forename_kind=pl.when(pl.col("gender") == "F")
        .then(pl.lit("female"))
        .when(pl.col("gender") == "M")
        .then(pl.lit("male"))
        .otherwise(pl.when(draws.uniform(key, "person.name.kind") < 0.5).then(pl.lit("female")).otherwise(pl.lit("male"))),
        # A share of people carry a name from another tradition, as London families do.
        surname_tradition=pl.when(draws.uniform(key, "person.surname.mixed") < 0.12)
        .then(draws.choice(key, "person.surname.tradition", ["british", "european", "african", "indian"], [5, 2, 2, 2]))
        .otherwise(pl.col("ethnicity").replace_strict(TRADITION_OF_ETHNICITY)),
    )
    frame = _pick_name(draws, frame, "tradition", "forename_kind", "forename")
    frame = _pick_name(draws, frame.with_columns(surname_kind=pl.lit("surname")), "surname_tradition", "surname_kind", "surname")
    frame = frame.join(
        district_table().rename({"borough_name": "home_borough_name"}).select("home_borough_name", "districts").unique(),
        on="home_borough_name",
        how="left",
        maintain_order="left",
    ).with_columns(district_index=draws.integer(key, "person.district", 0, pl.col("districts") - 1))
    frame = frame.join(
        district_table().rename({"borough_name": "home_borough_name"}).drop("districts"),
        on=["home_borough_name", "district_index"],
        how="left",
        maintain_order="left",
    )
    mobile = draws.integer(key, "person.phone", 100_000_000, 999_999_999).cast(pl.String)
    return frame.with_columns(
        nickname=pl.col("forename").replace_strict(NICKNAMES, default=None),
        postcode=postcode(draws, key, pl.col("district"), "person.postcode"),
        phone=pl.when(draws.uniform(key, "person.phone.has") < 0.85).then(pl.concat_str(pl.lit("07"), mobile.str.slice(0, 9))),
        email=pl.when(draws.uniform(key, "person.email.has") < 0.6).then(
            pl.concat_str(
                pl.col("forename").str.to_lowercase().str.replace_all(r"[^a-z]", ""),
                pl.lit("."),
                pl.col("surname").str.to_lowercase().str.replace_all(r"[^a-z]", ""),
                draws.integer(key, "person.email.n", 1, 99).cast(pl.String),
                pl.lit("@"),
                draws.choice(key, "person.email.domain", EMAIL_DOMAINS, [30, 20, 15, 10, 10, 5]),
            )
        ),
        victim_ref=pl.when(pl.col("police_victim")).then(ids.victim_ref(key)),
        pnc=pl.when(is_offender).then(offender_pnc(draws, key)),
        crn=pl.when(is_offender).then(ids.crn(key)),
    ).select(list(PEOPLE_SCHEMA))


def _pick_name(draws: Draws, frame: pl.DataFrame, tradition: str, kind: str, out: str) -> pl.DataFrame:
    sizes = list_sizes().rename({"tradition": tradition, "kind": kind})
    frame = frame.join(sizes, on=[tradition, kind], how="left", maintain_order="left")
    # Squaring the uniform favours the first names of each list, as real name frequencies do.
    rank = (draws.uniform("person_id", f"person.{out}") ** 2 * pl.col("size")).floor().cast(pl.Int64)
    frame = frame.with_columns(index=rank)
    names = name_table().rename({"tradition": tradition, "kind": kind, "name": out})
    return frame.join(names, on=[tradition, kind, "index"], how="left", maintain_order="left").drop("size", "index")


def _age_years(draws: Draws, key: pl.Expr, bands, stream: str) -> pl.Expr:
    band = weighted_index(draws.uniform(key, stream), [w for _, _, w in bands])
    low = band.replace_strict(list(range(len(bands))), [lo for lo, _, _ in bands])
    high = band.replace_strict(list(range(len(bands))), [hi for _, hi, _ in bands])
    return low + (draws.uniform(key, stream + ".within") * (high - low + 1)).floor()


def _dob(draws: Draws, key: pl.Expr, is_offender: pl.Expr, reference_date: dt.date) -> pl.Expr:
    age = pl.when(is_offender).then(_age_years(draws, key, OFFENDER_AGE_BANDS, "person.age.offender")).otherwise(
        _age_years(draws, key, VICTIM_AGE_BANDS, "person.age.victim")
    )
    days_old = (age * 365.25 + draws.uniform(key, "person.age.days") * 365).cast(pl.Int64)
    return pl.lit(reference_date) - pl.duration(days=days_old)


def offender_pnc(draws: Draws, key: pl.Expr) -> pl.Expr:
    """An offender's PNC ID (keyed on person_id); the year part is the year of the first arrest."""
    year = draws.integer(key, "person.pnc.year", 1998, 2024)
    return ids.pnc(year, ids.pnc_serial(key))
