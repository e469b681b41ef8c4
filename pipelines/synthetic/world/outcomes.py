"""Crime outcomes: one Home Office outcome per crime, recorded days to months after the report.

About 7-10% of crimes are charged. Charged crimes get a URN (their court case reference) and an
offender; out-of-court disposals (cautions, community resolutions) get an offender too, because
their suspect's PNC ID is recorded.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.people import make_people
from pipelines.synthetic.world.state import WorldState

CHARGE_RATE_BY_GROUP = {
    "Burglary": 0.04,
    "Violence Against the Person": 0.12,
    "Robbery": 0.07,
    "Sexual Offences": 0.05,
    "Theft": 0.065,
    "Criminal Damage and Arson": 0.05,
    "Public Order Offences": 0.09,
    "Other": 0.03,
}
# Relative frequency of the other outcomes among crimes not charged.
OTHER_OUTCOMES = {
    18: 45.0, 14: 15.0, 16: 12.0, 15: 6.0, 8: 4.0, 21: 4.0, 20: 2.0, 3: 1.5, 22: 1.0, 6: 1.0, 10: 1.0,
    9: 1.0, 2: 0.5, 11: 0.5, 17: 0.5, 12: 0.3, 13: 0.3, 4: 0.2, 5: 0.1, 7: 0.1,
}
OFFENDER_OUTCOMES = (1, 2, 3, 8)
VPS_OFFERED = 0.78

# The Met's historic two-letter borough codes serve as the URN police unit.
URN_UNIT = {
    "E09000002": "KG", "E09000003": "SX", "E09000004": "RY", "E09000005": "QK", "E09000006": "PY",
    "E09000007": "EK", "E09000008": "ZD", "E09000009": "XS", "E09000010": "YE", "E09000011": "RG",
    "E09000012": "GD", "E09000013": "FH", "E09000014": "YR", "E09000015": "QA", "E09000016": "KD",
    "E09000017": "XH", "E09000018": "TX", "E09000019": "NI", "E09000020": "BS", "E09000021": "VK",
    "E09000022": "LX", "E09000023": "PL", "E09000024": "VW", "E09000025": "KF", "E09000026": "JI",
    "E09000027": "TW", "E09000028": "MD", "E09000029": "ZT", "E09000030": "HT", "E09000031": "JC",
    "E09000032": "WW", "E09000033": "CW",
}


def outcomes_for_crimes(state: WorldState, crimes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one outcome per crime, new offenders) for `crimes` (crime_id, crime_ref, report_date,
    offence_group, borough_code, victim_person_id)."""
    d, key = state.draws, pl.col("crime_id")
    charged = d.uniform(key, "outcome.charged") < pl.col("offence_group").replace_strict(CHARGE_RATE_BY_GROUP)
    other = d.choice(key, "outcome.other", list(OTHER_OUTCOMES), list(OTHER_OUTCOMES.values()))
    frame = crimes.with_columns(outcome_code=pl.when(charged).then(1).otherwise(other).cast(pl.Int64))
    code = pl.col("outcome_code")
    lag = (
        pl.when(code == 1)
        .then(charge_lag(d, key))
        .when(code == 18)
        .then(d.integer(key, "outcome.nfa_lag", 2, 30))
        .otherwise((d.uniform(key, "outcome.other_lag") ** 1.5 * 140).floor().cast(pl.Int64) + 10)
    )
    frame = frame.with_columns(outcome_date=pl.col("report_date") + pl.duration(days=lag))
    frame = assign_urns(state, frame.filter(code == 1)).vstack(
        frame.filter(code != 1).with_columns(urn=pl.lit(None, pl.String))
    ).sort("crime_id")
    with_offender = code.is_in(OFFENDER_OUTCOMES)
    n_offenders = int(frame.select(with_offender.sum()).item())
    first = state.allocate("person", n_offenders)
    frame = frame.with_columns(
        offender_id=pl.when(with_offender).then(with_offender.cast(pl.Int64).cum_sum() - 1 + first)
    )
    offenders = offender_people(state, frame.filter(with_offender).select(person_id="offender_id", borough_code="borough_code"))
    frame = frame.join(offenders.select(pl.col("person_id").alias("offender_id"), "pnc"), on="offender_id", how="left", maintain_order="left")
    return (
        frame.with_columns(
            suspect_pnc=pl.when(d.uniform(key, "outcome.pnc_recorded") < 0.9).then(pl.col("pnc")),
            vps_offered=pl.when(code == 1).then(d.uniform(key, "outcome.vps") < VPS_OFFERED),
            victim_withdrew_support=pl.when(code.is_in([14, 16]))
            .then(pl.when(d.uniform(key, "outcome.withdrew") < 0.7).then(pl.lit("Y")).otherwise(pl.lit("N")))
            .when(d.uniform(key, "outcome.withdrew_recorded") < 0.6)
            .then(pl.lit("N")),
        ).drop("pnc"),
        offenders,
    )


def charge_lag(d: Draws, key: pl.Expr) -> pl.Expr:
    """Days from report to charge: a third within two days (arrested and charged), the rest later."""
    return (
        pl.when(d.uniform(key, "outcome.quick_charge") < 0.3)
        .then(d.integer(key, "outcome.quick_lag", 0, 2))
        .otherwise((d.uniform(key, "outcome.charge_lag") ** 2 * 117).floor().cast(pl.Int64) + 3)
    )


def offender_people(state: WorldState, offenders: pl.DataFrame) -> pl.DataFrame:
    """Attributes of offenders (person_id, borough_code): mostly young men."""
    return make_people(
        state.draws,
        offenders.select(
            "person_id",
            role=pl.lit("offender"),
            home_borough_code="borough_code",
            p_female=pl.lit(0.15),
            police_victim=pl.lit(False),
        ),
        state.window_start,
    )


def assign_urns(state: WorldState, charged: pl.DataFrame) -> pl.DataFrame:
    """URNs for charged crimes: a serial per police unit and charge year, in charge-date order."""
    if charged.is_empty():
        return charged.with_columns(urn=pl.lit(None, pl.String))
    charged = charged.sort("outcome_date", "crime_id").with_columns(
        unit=pl.col("borough_code").replace_strict(URN_UNIT), charge_year=pl.col("outcome_date").dt.year()
    )
    offsets = {}
    for unit, year, n in charged.group_by("unit", "charge_year").len().sort("unit", "charge_year").iter_rows():
        offsets[(unit, year)] = state.allocate(f"urn.{unit}.{year}", n) + 1
    offset_frame = pl.DataFrame(
        [(u, y, o) for (u, y), o in offsets.items()], schema=["unit", "charge_year", "offset"], orient="row"
    ).with_columns(pl.col("charge_year").cast(pl.Int32), pl.col("offset").cast(pl.Int64))
    charged = charged.join(offset_frame, on=["unit", "charge_year"], how="left", maintain_order="left")
    serial = pl.int_range(pl.len()).over("unit", "charge_year").cast(pl.Int64) + pl.col("offset")
    return charged.with_columns(urn=ids.urn(pl.col("unit"), serial, pl.col("charge_year"))).drop("unit", "charge_year", "offset")
