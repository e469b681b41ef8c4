"""Victims of crime recorded by the Met in a month: the true world behind `police_crimes`.

Volumes follow the London Datastore counts per borough and minor category (a seeded Poisson
around count x scale). Rows are then grouped into crimes (some crimes have several victims),
victims are drawn as new people or as repeat victims already known to the police in the same
borough, and the Victims' Code follow-ups are dated in working days so that the compliance
metrics land in realistic ranges.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.calibration import counts_for
from pipelines.synthetic.draws import poisson
from pipelines.synthetic.months import Month
from pipelines.synthetic.people import make_people
from pipelines.synthetic.reference import met_lsoas
from pipelines.synthetic.working_days import working_days_after
from pipelines.synthetic.world.state import WorldState

# subgroup: (share of victims who join the previous victim's crime, hate crime, domestic abuse)
SUBGROUP_PROFILE = {
    "Arson": (0.05, 0.02, 0.05),
    "Criminal Damage": (0.06, 0.03, 0.07),
    "Burglary - Residential": (0.12, 0.005, 0.01),
    "Burglary - Residential (Unconnected Building)": (0.05, 0.0, 0.0),
    "Burglary - Business and Community": (0.03, 0.005, 0.0),
    "Fraud and Forgery": (0.02, 0.0, 0.0),
    "Other Offences Against the State or Public Order": (0.05, 0.04, 0.02),
    "Public Fear, Alarm or Distress": (0.08, 0.08, 0.04),
    "Racially or Religiously Aggravated Public Fear": (0.10, 1.0, 0.0),
    "Violent Disorder": (0.30, 0.10, 0.0),
    "Robbery of Business Property": (0.10, 0.01, 0.0),
    "Robbery of Personal Property": (0.15, 0.01, 0.0),
    "Other Sexual Offences": (0.03, 0.03, 0.12),
    "Rape": (0.01, 0.01, 0.25),
    "Bicycle Theft": (0.0, 0.0, 0.0),
    "Other Theft": (0.03, 0.005, 0.01),
    "Shoplifting": (0.02, 0.002, 0.0),
    "Theft from the Person": (0.02, 0.005, 0.0),
    "Aggravated Vehicle Taking": (0.05, 0.0, 0.0),
    "Interfering with a Motor Vehicle": (0.02, 0.0, 0.0),
    "Theft from a Motor Vehicle": (0.03, 0.0, 0.0),
    "Theft or Taking of a Motor Vehicle": (0.03, 0.0, 0.01),
    "Death or Serious Injury by Unlawful Driving": (0.20, 0.0, 0.0),
    "Homicide": (0.10, 0.05, 0.20),
    "Stalking and Harassment": (0.04, 0.05, 0.22),
    "Violence with Injury": (0.10, 0.05, 0.17),
    "Violence without Injury": (0.08, 0.05, 0.10),
}

REPEAT_SHARE = 0.07
REPEAT_SHARE_DOMESTIC = 0.25
# People already known to the police before the window, per victim recorded in a month.
PRIOR_POOL_PER_MONTHLY_VICTIM = 0.6

# Victims' Code follow-ups. Lags are in working days from the report date.
RJ_INFO_GIVEN, RJ_INFO_ON_TIME = 0.38, 0.78
NEEDS_ASSESSED = 0.72
SUPPORT_CONSENT = (("Y", 0.42), ("N", 0.28), ("Not asked", 0.25), (None, 0.05))
REFERRAL_MADE, REFERRAL_ON_TIME = 0.85, 0.82

VICTIM_COLUMNS = [
    "victim_row_id", "crime_id", "person_id", "crime_ref", "victim_ref", "report_date", "offence_date",
    "offence_group", "offence_subgroup", "hate_crime", "domestic_abuse", "borough_code", "lsoa21_code",
    "victim_forename", "victim_surname", "victim_dob", "victim_postcode", "victim_phone", "victim_email",
    "victim_gender", "victim_ethnicity", "enhanced_rights", "needs_assessment_date", "support_consent",
    "support_referral_date", "rj_info_date", "victims_in_crime",
]


def seed_victim_pool(state: WorldState) -> pl.DataFrame:
    """People the police already know as victims before the window; returns their attributes."""
    counts = counts_for(state.first.year, state.first.month).group_by("borough_code").agg(pl.col("count").sum())
    rng = state.draws.python("police.prior_pool")
    sizes = [(b, poisson(rng, c * state.scale * PRIOR_POOL_PER_MONTHLY_VICTIM)) for b, c in counts.sort("borough_code").iter_rows()]
    total = sum(n for _, n in sizes)
    first = state.allocate("person", total)
    pool = pl.DataFrame(
        {"borough_code": [b for b, n in sizes for _ in range(n)]}, schema={"borough_code": pl.String}
    ).with_columns(person_id=pl.int_range(first, first + total, dtype=pl.Int64))
    pool = pool.with_columns(p_female=0.45 + 0.1 * state.draws.uniform("person_id", "police.prior.female"))
    state.victim_pool = pool.select("person_id", "borough_code", "p_female")
    return _people(state, state.victim_pool)


def _people(state: WorldState, persons: pl.DataFrame) -> pl.DataFrame:
    return make_people(
        state.draws,
        persons.select(
            "person_id",
            role=pl.lit("victim"),
            home_borough_code="borough_code",
            p_female="p_female",
            police_victim=pl.lit(True),
        ),
        state.window_start,
    )


def victims_for_month(state: WorldState, month: Month) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(victim rows of crimes reported in `month`, attributes of people new to the police)."""
    rows = _volumes(state, month)
    rows = _group_into_crimes(state, rows)
    rows = _crime_attributes(state, month, rows)
    rows, new_people = _assign_people(state, rows)
    rows = _follow_ups(state, rows)
    return rows.select(VICTIM_COLUMNS), new_people


def _volumes(state: WorldState, month: Month) -> pl.DataFrame:
    counts = counts_for(month.year, month.month).sort("borough_code", "offence_group", "offence_subgroup")
    rng = state.draws.python(f"police.volume.{month.label}")
    drawn = [poisson(rng, c * state.scale) for c in counts["count"]]
    rows = counts.with_columns(n=pl.Series(drawn, dtype=pl.Int64)).filter(pl.col("n") > 0)
    rows = rows.select("borough_code", "offence_group", "offence_subgroup", pl.int_ranges(0, "n").alias("i")).explode("i")
    first = state.allocate("victim_row", rows.height)
    return rows.drop("i").with_columns(victim_row_id=pl.int_range(first, first + rows.height, dtype=pl.Int64))


def _profile(column: int) -> pl.Expr:
    return pl.col("offence_subgroup").replace_strict({k: v[column] for k, v in SUBGROUP_PROFILE.items()})


def _group_into_crimes(state: WorldState, rows: pl.DataFrame) -> pl.DataFrame:
    """Consecutive victims of one borough and subgroup may share a crime."""
    d = state.draws
    first_of_block = pl.struct("borough_code", "offence_subgroup").is_first_distinct()
    joins = (d.uniform("victim_row_id", "police.joins_crime") < _profile(0)) & ~first_of_block
    rows = rows.with_columns(new_crime=(~joins).cast(pl.Int64))
    n_crimes = int(rows["new_crime"].sum())
    first = state.allocate("crime", n_crimes)
    rows = rows.with_columns(crime_id=pl.col("new_crime").cum_sum() - 1 + first).drop("new_crime")
    return rows.with_columns(victims_in_crime=pl.len().over("crime_id").cast(pl.Int64))


def _crime_attributes(state: WorldState, month: Month, rows: pl.DataFrame) -> pl.DataFrame:
    d, crime = state.draws, pl.col("crime_id")
    report_date = pl.lit(month.start) + pl.duration(days=d.integer(crime, "police.report_day", 0, month.days - 1))
    sexual = pl.col("offence_group") == "Sexual Offences"
    # Most crimes are reported the day they happen or soon after; some sexual offences years later.
    lag_days = (
        pl.when(d.uniform(crime, "police.offence_same_day") < 0.45)
        .then(0)
        .when(sexual & (d.uniform(crime, "police.historic") < 0.15))
        .then(d.integer(crime, "police.historic_lag", 60, 7000))
        .otherwise((d.uniform(crime, "police.offence_lag") ** 3 * 60).floor().cast(pl.Int64) + 1)
    )
    rows = rows.with_columns(
        report_date=report_date,
        hate_crime=d.uniform(crime, "police.hate") < _profile(1),
        domestic_abuse=d.uniform(crime, "police.domestic") < _profile(2),
        lsoa_draw=d.uniform(crime, "police.lsoa"),
        has_location=d.uniform(crime, "police.has_location") >= 0.02,
        lag_days=lag_days,
        has_offence_date=d.uniform(crime, "police.has_offence_date") >= 0.03,
    )
    lsoas = met_lsoas()
    sizes = lsoas.group_by("borough_code").agg(lsoas=pl.len().cast(pl.Int64))
    rows = rows.join(sizes, on="borough_code", how="left", maintain_order="left").with_columns(
        lsoa_index=(pl.col("lsoa_draw") * pl.col("lsoas")).floor().cast(pl.Int64)
    )
    rows = rows.join(lsoas.select("borough_code", "lsoa_index", "lsoa21_code"), on=["borough_code", "lsoa_index"], how="left", maintain_order="left")
    return rows.with_columns(
        offence_date=pl.when(pl.col("has_offence_date")).then(pl.col("report_date") - pl.duration(days=pl.col("lag_days"))),
        lsoa21_code=pl.when(pl.col("has_location")).then(pl.col("lsoa21_code")),
        crime_ref=ids.crime_ref(crime, pl.col("report_date").dt.year()),
    ).drop("lsoa_draw", "has_location", "lag_days", "has_offence_date", "lsoas", "lsoa_index")


def _assign_people(state: WorldState, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Repeat victims come from the same borough's pool; everyone else is a new person."""
    d, key = state.draws, pl.col("victim_row_id")
    pool = state.victim_pool.sort("borough_code", "person_id").with_columns(
        pool_index=pl.int_range(pl.len()).over("borough_code").cast(pl.Int64),
        pool_size=pl.len().over("borough_code").cast(pl.Int64),
    )
    sizes = pool.select("borough_code", "pool_size").unique()
    repeat_share = pl.when(pl.col("domestic_abuse")).then(REPEAT_SHARE_DOMESTIC).otherwise(REPEAT_SHARE)
    rows = rows.join(sizes, on="borough_code", how="left", maintain_order="left").with_columns(
        repeat=(d.uniform(key, "police.repeat") < repeat_share) & pl.col("pool_size").is_not_null(),
        pool_index=(d.uniform(key, "police.repeat.who") * pl.col("pool_size")).floor().cast(pl.Int64),
    )
    rows = rows.join(
        pool.select("borough_code", "pool_index", pl.col("person_id").alias("pool_person"), pl.col("p_female").alias("pool_female")),
        on=["borough_code", "pool_index"],
        how="left",
        maintain_order="left",
    ).with_columns(pool_person=pl.when(pl.col("repeat")).then(pl.col("pool_person")))
    # One person cannot be two victims of the same crime: a second draw of them becomes a new person.
    rows = rows.with_columns(
        repeat=pl.col("repeat") & (pl.col("pool_person").is_null() | pl.col("pool_person").is_first_distinct().over("crime_id"))
    )
    n_new = rows.height - int(rows["repeat"].sum())
    first = state.allocate("person", n_new)
    sexual_or_domestic = (pl.col("offence_group") == "Sexual Offences") | pl.col("domestic_abuse")
    rows = rows.with_columns(
        person_id=pl.when(pl.col("repeat"))
        .then(pl.col("pool_person"))
        .otherwise((~pl.col("repeat")).cast(pl.Int64).cum_sum() - 1 + first),
        p_female=pl.when(pl.col("repeat"))
        .then(pl.col("pool_female"))
        .when(sexual_or_domestic)
        .then(0.8)
        .otherwise(0.45),
    )
    new = rows.filter(~pl.col("repeat")).select("person_id", "borough_code", "p_female")
    state.victim_pool = pl.concat([state.victim_pool, new])
    people = _people(state, rows.select("person_id", "borough_code", "p_female").unique("person_id", keep="first", maintain_order=True))
    rows = rows.join(people, on="person_id", how="left", maintain_order="left")
    rows = rows.with_columns(
        victim_forename=pl.col("forename"),
        victim_surname=pl.col("surname"),
        # Not every victim gives a date of birth or a postcode.
        victim_dob=pl.when(d.uniform(key, "police.dob.missing") >= 0.06).then(pl.col("dob")),
        victim_postcode=pl.when(d.uniform(key, "police.postcode.missing") >= 0.05).then(pl.col("postcode")),
        victim_phone=pl.col("phone"),
        victim_email=pl.col("email"),
        victim_gender=pl.col("gender"),
        victim_ethnicity=pl.col("ethnicity"),
    )
    return rows, people.join(new.select("person_id"), on="person_id", how="semi")


def _follow_ups(state: WorldState, rows: pl.DataFrame) -> pl.DataFrame:
    d, key = state.draws, pl.col("victim_row_id")
    age = (pl.col("report_date") - pl.col("dob")).dt.total_days() / 365.25
    enhanced = (
        pl.col("domestic_abuse")
        | pl.col("hate_crime")
        | (pl.col("offence_group") == "Sexual Offences")
        | (age < 18)
        | (d.uniform(key, "police.vulnerable") < 0.06)
    )
    rows = rows.with_columns(enhanced_rights=enhanced)
    rj_deadline = pl.when(pl.col("enhanced_rights")).then(1).otherwise(5)
    rj_lag = pl.when(d.uniform(key, "police.rj.on_time") < RJ_INFO_ON_TIME).then(
        (d.uniform(key, "police.rj.lag") * (rj_deadline + 1)).floor().cast(pl.Int64)
    ).otherwise(rj_deadline + d.integer(key, "police.rj.late", 1, 20))
    consent = d.choice(key, "police.consent", [c for c, _ in SUPPORT_CONSENT], [w for _, w in SUPPORT_CONSENT])
    referral_lag = pl.when(d.uniform(key, "police.referral.on_time") < REFERRAL_ON_TIME).then(
        d.integer(key, "police.referral.lag", 0, 2)
    ).otherwise(d.integer(key, "police.referral.late", 3, 15))
    needs_lag = pl.when(d.uniform(key, "police.needs.same_day") < 0.5).then(0).otherwise(d.integer(key, "police.needs.lag", 1, 8))
    lags = rows.select(
        rj=pl.when(d.uniform(key, "police.rj.given") < RJ_INFO_GIVEN).then(rj_lag),
        needs=pl.when(d.uniform(key, "police.needs.done") < NEEDS_ASSESSED).then(needs_lag),
        consent=consent,
        referral=referral_lag,
        referred=d.uniform(key, "police.referral.made") < REFERRAL_MADE,
    )
    report = rows["report_date"]
    return rows.with_columns(
        rj_info_date=_dated(report, lags["rj"]),
        needs_assessment_date=_dated(report, lags["needs"]),
        support_consent=lags["consent"],
        support_referral_date=pl.when((lags["consent"] == "Y") & lags["referred"]).then(_dated(report, lags["referral"])),
    )


def _dated(report: pl.Series, lag: pl.Series) -> pl.Series:
    stepped = working_days_after(report, lag.fill_null(0))
    return pl.select(pl.when(pl.lit(lag).is_not_null()).then(pl.lit(stepped))).to_series()
