"""Restore: London RJ referrals, ~150-300 a month at scale 1.

Referrals come from where the victim's journey is: the police (victims given RJ information),
youth offending teams and victim services (police-recorded crimes), victim care hubs (including
crimes never reported, whose stage is "Not reported to police"), the courts (pre-sentence) and
probation and prisons (after sentence). What happens to each case next is in rj_funnel.py.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.draws import Draws, poisson
from pipelines.synthetic.months import Month
from pipelines.synthetic.people import make_people
from pipelines.synthetic.reference import boroughs
from pipelines.synthetic.world.state import RJ_FROM_COURT, RJ_FROM_HUB, RJ_NEW_VICTIM, WorldState

# Referral chance per police victim (single-victim crimes), by source; for the police, per victim
# given RJ information.
POLICE_VICTIM_SOURCES = {"Police": 0.0029, "Youth Offending Team": 0.00043, "Victim Support": 0.00017, "Self-referral": 0.00012, "Other": 0.00007}
CRIME_REF_RECORDED = {"Police": 1.0, "Youth Offending Team": 0.9, "Victim Support": 0.7, "Self-referral": 0.4, "Other": 0.5, "Victim Care Hub": 0.9}
UNREPORTED_PER_MONTH = {"Victim Support": 8, "Self-referral": 8, "Other": 3}
COURT_CASE_SOURCES = {"Court": 0.002, "Probation": 0.033, "Prison": 0.028}
BACKLOG_MONTHS, BACKLOG_PER_MONTH, BACKLOG_TAIL_DAYS = 6, 130, 45



def from_police_victims(state: WorldState, victims: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Referrals of this month's police victims (single-victim crimes only, so a crime_ref
    identifies the victim unambiguously)."""
    d, key = state.draws, pl.col("victim_row_id")
    u = d.uniform(key, "rj.police.source")
    # Consecutive slices of [0, 1), one per source; the police only refer victims given RJ information.
    source, start = pl.lit(None, pl.String), 0.0
    for name, share in POLICE_VICTIM_SOURCES.items():
        eligible = pl.col("rj_info_date").is_not_null() if name == "Police" else pl.lit(True)
        source = pl.when(eligible & (u >= start) & (u < start + share)).then(pl.lit(name)).otherwise(source)
        start += share
    frame = victims.filter(pl.col("victims_in_crime") == 1).with_columns(referral_source=source).filter(pl.col("referral_source").is_not_null())
    anchor = pl.coalesce("rj_info_date", "report_date")
    frame = frame.join(outcomes.select("crime_id", "outcome_code", "outcome_date", "urn"), on="crime_id", how="left", maintain_order="left")
    frame = frame.with_columns(referral_date=anchor + pl.duration(days=d.integer(key, "rj.police.lag", 3, 40)))
    charged = (pl.col("outcome_code") == 1) & (pl.col("outcome_date") <= pl.col("referral_date"))
    return frame.select(
        rj_key=pl.col("victim_row_id"),
        referral_date="referral_date",
        referral_source="referral_source",
        borough_code="borough_code",
        cjs_stage=pl.when(charged & pl.col("referral_source").is_in(["Police", "Youth Offending Team"])).then(pl.lit("Pre-sentence")).otherwise(pl.lit("Out of court")),
        crime_ref=pl.when(d.uniform(key, "rj.crime_ref") < pl.col("referral_source").replace_strict(CRIME_REF_RECORDED)).then(pl.col("crime_ref")),
        urn=pl.when(charged & (d.uniform(key, "rj.urn") < 0.8)).then(pl.col("urn")),
        offender_crn=pl.lit(None, pl.String),
        victim_person_id="person_id",
        crime_id="crime_id",
        victim_forename="victim_forename",
        victim_surname="victim_surname",
        victim_dob="victim_dob",
        victim_postcode="victim_postcode",
    )


def from_hub_referrals(state: WorldState, referrals: pl.DataFrame) -> pl.DataFrame:
    """Hubs refer on to RJ; crimes not reported to the police keep that stage."""
    d, key = state.draws, pl.col("hub_key")
    onward = referrals.filter(pl.col("rj_referral_date").is_not_null())
    reported = pl.col("crime_reported") == "Yes"
    return onward.select(
        rj_key=pl.col("hub_key") + RJ_FROM_HUB,
        referral_date="rj_referral_date",
        referral_source=pl.lit("Victim Care Hub"),
        borough_code="borough_code",
        cjs_stage=pl.when(reported).then(pl.lit("Out of court")).otherwise(pl.lit("Not reported to police")),
        crime_ref=pl.when(reported & (d.uniform(key, "rj.hub.crime_ref") < 0.9)).then(pl.col("police_reference")),
        urn=pl.lit(None, pl.String),
        offender_crn=pl.lit(None, pl.String),
        victim_person_id="person_id",
        crime_id="crime_id",
        victim_forename="first_name",
        victim_surname="surname",
        victim_dob="date_of_birth",
        victim_postcode="postcode",
    )


def from_court_cases(state: WorldState, sentences: pl.DataFrame) -> pl.DataFrame:
    """Referrals by courts (before sentence) and by probation and prisons (after it), without
    victim details (see `with_victims`)."""
    d, key = state.draws, pl.col("crime_id")
    u = d.uniform(key, "rj.court.source")
    custody = pl.col("sentence_type") == "Immediate custody"
    community = pl.col("sentence_type") == "Community order"
    source = (
        pl.when(u < COURT_CASE_SOURCES["Court"]).then(pl.lit("Court"))
        .when(community & (u < COURT_CASE_SOURCES["Court"] + COURT_CASE_SOURCES["Probation"])).then(pl.lit("Probation"))
        .when(custody & (u < COURT_CASE_SOURCES["Court"] + COURT_CASE_SOURCES["Prison"])).then(pl.lit("Prison"))
    )
    frame = sentences.with_columns(referral_source=source).filter(pl.col("referral_source").is_not_null())
    src = pl.col("referral_source")
    frame = frame.with_columns(
        referral_date=pl.when(src == "Court")
        .then(pl.col("first_hearing_date") + pl.duration(days=d.integer(key, "rj.court.lag", 7, 40)))
        .when(src == "Probation")
        .then(pl.col("sentence_date") + pl.duration(days=d.integer(key, "rj.probation.lag", 14, 120)))
        .otherwise(pl.col("sentence_date") + pl.duration(days=d.integer(key, "rj.prison.lag", 30, 365))),
    )
    stage = pl.when(src == "Court").then(pl.lit("Pre-sentence")).when(src == "Probation").then(pl.lit("Post-sentence (community)")).otherwise(pl.lit("Post-sentence (custody)"))
    crn_share = pl.when(src == "Court").then(0.3).otherwise(0.9)
    return frame.select(
        rj_key=pl.col("crime_id") + RJ_FROM_COURT,
        referral_date="referral_date",
        referral_source="referral_source",
        borough_code="borough_code",
        cjs_stage=stage,
        crime_ref=pl.lit(None, pl.String),
        urn=pl.when(d.uniform(key, "rj.court.urn") < 0.9).then(pl.col("urn")),
        offender_crn=pl.when(d.uniform(key, "rj.court.crn") < crn_share).then(ids.crn(pl.col("offender_id"))),
        victim_person_id="victim_person_id",
        crime_id="crime_id",
    )


def with_victims(cases: pl.DataFrame, people: pl.DataFrame, d: Draws) -> pl.DataFrame:
    """Add victim details from `people`; the case worker does not always record all of them."""
    key = pl.col("rj_key")
    victims = people.select(
        pl.col("person_id").alias("victim_person_id"),
        victim_forename="forename", victim_surname="surname", victim_dob="dob", victim_postcode="postcode",
    ).unique("victim_person_id", keep="first", maintain_order=True)
    return cases.join(victims, on="victim_person_id", how="left", maintain_order="left").with_columns(
        victim_dob=pl.when(d.uniform(key, "rj.dob.recorded") < 0.8).then(pl.col("victim_dob")),
        victim_postcode=pl.when(d.uniform(key, "rj.postcode.recorded") < 0.85).then(pl.col("victim_postcode")),
    )


def unreported(state: WorldState, month: Month) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Self-referrals and the like for crimes never reported: (cases, their new people)."""
    rng = state.draws.python(f"rj.unreported.{month.label}")
    sources = [(s, poisson(rng, n * state.scale)) for s, n in UNREPORTED_PER_MONTH.items()]
    frame, people = _new_victims(state, [s for s, n in sources for _ in range(n)], f"rj.unreported.{month.label}")
    key = pl.col("crime_id")
    frame = frame.with_columns(
        referral_date=pl.lit(month.start) + pl.duration(days=state.draws.integer(key, "rj.unreported.day", 0, month.days - 1)),
        cjs_stage=pl.lit("Not reported to police"),
        crime_ref=pl.lit(None, pl.String),
    )
    return _finish_new(frame), people


def backlog(state: WorldState) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases referred in the months before the window (crimes not in any delivered police file)."""
    d = state.draws
    rng = d.python("rj.backlog")
    n = poisson(rng, (BACKLOG_MONTHS + BACKLOG_TAIL_DAYS / 30) * BACKLOG_PER_MONTH * state.scale)
    choices = list(POLICE_VICTIM_SOURCES) + ["Victim Care Hub"]
    frame, people = _new_victims(state, ["?"] * n, "rj.backlog")
    key = pl.col("crime_id")
    # Referrals of earlier crimes keep arriving early in the window, thinning out over six weeks.
    offset = d.integer(key, "rj.backlog.day", -30 * BACKLOG_MONTHS, BACKLOG_TAIL_DAYS)
    frame = frame.with_columns(
        referral_source=d.choice(key, "rj.backlog.source", choices, [45, 15, 10, 10, 5, 15]),
        referral_date=pl.lit(state.window_start) + pl.duration(days=offset),
        keep=(offset < 0) | (d.uniform(key, "rj.backlog.tail") * BACKLOG_TAIL_DAYS >= offset),
    ).filter(pl.col("keep")).drop("keep")
    reported = d.uniform(key, "rj.backlog.reported") < 0.85
    report_date = pl.col("referral_date") - pl.duration(days=d.integer(key, "rj.backlog.report_lag", 10, 120))
    frame = frame.with_columns(
        cjs_stage=pl.when(reported).then(pl.lit("Out of court")).otherwise(pl.lit("Not reported to police")),
        crime_ref=pl.when(reported & (d.uniform(key, "rj.crime_ref") < pl.col("referral_source").replace_strict(CRIME_REF_RECORDED))).then(
            ids.crime_ref(key, report_date.dt.year())
        ),
    )
    return _finish_new(frame), people


def _new_victims(state: WorldState, sources: list[str], stream: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(sources)
    first_person, first_crime = state.allocate("person", n), state.allocate("crime", n)
    codes = boroughs()["borough_code"].to_list()
    frame = pl.DataFrame({"referral_source": sources}, schema={"referral_source": pl.String}).with_columns(
        victim_person_id=pl.int_range(first_person, first_person + n, dtype=pl.Int64),
        crime_id=pl.int_range(first_crime, first_crime + n, dtype=pl.Int64),
    )
    frame = frame.with_columns(
        borough_code=state.draws.integer("crime_id", f"{stream}.borough", 0, len(codes) - 1).replace_strict(list(range(len(codes))), codes)
    )
    people = make_people(
        state.draws,
        frame.select(person_id="victim_person_id", role=pl.lit("victim"), home_borough_code="borough_code", p_female=pl.lit(0.55), police_victim=pl.lit(False)),
        state.window_start,
    )
    return frame.join(
        people.select(
            pl.col("person_id").alias("victim_person_id"),
            victim_forename="forename", victim_surname="surname", victim_dob="dob", victim_postcode="postcode",
        ),
        on="victim_person_id",
        how="left",
        maintain_order="left",
    ), people


def _finish_new(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        rj_key=pl.col("crime_id") + RJ_NEW_VICTIM,
        referral_date="referral_date",
        referral_source="referral_source",
        borough_code="borough_code",
        cjs_stage="cjs_stage",
        crime_ref="crime_ref",
        urn=pl.lit(None, pl.String),
        offender_crn=pl.lit(None, pl.String),
        victim_person_id="victim_person_id",
        crime_id="crime_id",
        victim_forename="victim_forename",
        victim_surname="victim_surname",
        victim_dob="victim_dob",
        victim_postcode="victim_postcode",
    )
