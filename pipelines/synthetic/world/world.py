"""The synthetic London, advanced one month at a time.

Each month's crimes are generated with their whole future (outcome, court case, VCS case, hub
and RJ referrals, survey interview) dated up front; those futures wait in small pending tables
until the month they fall in. Before the first month, the world is seeded with what already
existed: victims known to the police, court cases charged in the last two years, VCS cases of
long sentences, and recent RJ referrals.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.synthetic.draws import Draws
from pipelines.synthetic.months import Month
from pipelines.synthetic.people import make_people
from pipelines.synthetic.world import hubs, probation, restorative, rj_funnel, survey
from pipelines.synthetic.world.backlog import court_backlog
from pipelines.synthetic.world.courts import schedule_cases
from pipelines.synthetic.world.outcomes import offender_people, outcomes_for_crimes
from pipelines.synthetic.world.police import seed_victim_pool, victims_for_month
from pipelines.synthetic.world.state import WorldState

# In a re-delivered month, the shares of victim records the first delivery got wrong: records
# later cancelled (in v1 only) and records recorded late (in v2 only).
CANCELLED_SHARE, LATE_SHARE = 0.004, 0.006
# In a re-delivered court month: hearings listed twice in error (the extra listing in v1 only),
# hearings entered late (in v2 only), and trials whose victim attendance was recorded after the
# first extract (blank in v1).
LISTED_IN_ERROR_SHARE, LATE_HEARING_SHARE, LATE_ATTENDANCE_SHARE = 0.005, 0.01, 0.05
# The hearing slot of a listing made in error (world/courts.py uses slots 1-6).
SLOT_LISTED_IN_ERROR = 7


@dataclass
class MonthWorld:
    """What happened in one month, as the source systems would export it (before any defect)."""

    month: Month
    victims: pl.DataFrame
    first_delivery_victims: pl.DataFrame | None
    outcomes: pl.DataFrame
    hearings: pl.DataFrame
    first_delivery_hearings: pl.DataFrame | None
    interviews: pl.DataFrame
    hub_referrals: pl.DataFrame
    vcs_cases: pl.DataFrame
    rj_cases: pl.DataFrame
    people: pl.DataFrame


class World:
    """`redelivered`: police_crimes months whose first delivery is superseded by a `_v2`;
    `courts_redelivered`: the same for court_hearings."""

    def __init__(self, seed: int, scale: float, months: list[Month], redelivered: frozenset[Month] = frozenset(),
                 courts_redelivered: frozenset[Month] = frozenset()):
        self.state = WorldState(Draws(seed), scale, months)
        self.redelivered = redelivered
        self.courts_redelivered = courts_redelivered
        self._people: list[pl.DataFrame] = []
        self._uss_pool: pl.DataFrame | None = None
        self._pending_outcomes = self._pending_hearings = self._pending_hub = None
        self._vcs_cases = self._rj_cases = None
        self._seed()

    @property
    def draws(self) -> Draws:
        return self.state.draws

    def _seed(self) -> None:
        state = self.state
        self._people.append(seed_victim_pool(state))
        cases = court_backlog(state)
        offenders = offender_people(state, cases.select(person_id="offender_id", borough_code="borough_code"))
        self._people.append(offenders)
        hearings, sentences = schedule_cases(state, cases)
        self._pending_hearings = self._with_defendants(hearings.filter(pl.col("hearing_date") >= state.window_start), offenders)
        vcs_cases = probation.cases_from_sentences(state, sentences)
        rj_cases = restorative.from_court_cases(state, sentences)
        needed = pl.concat([vcs_cases.select("victim_person_id", "crime_id"), rj_cases.select("victim_person_id", "crime_id")]).unique()
        victims = make_people(
            self.draws,
            needed.join(cases.select("crime_id", "borough_code"), on="crime_id").select(
                person_id="victim_person_id", role=pl.lit("victim"), home_borough_code="borough_code",
                p_female=pl.lit(0.6), police_victim=pl.lit(False),
            ).sort("person_id"),
            state.window_start,
        )
        self._people.append(victims)
        # Only victims someone recorded (in a VCS or RJ case) exist as people; the court files
        # of the other backlog cases carry no person.
        known = pl.col("victim_person_id").is_in(victims["person_id"].implode())
        self._pending_hearings = self._pending_hearings.with_columns(victim_person_id=pl.when(known).then(pl.col("victim_person_id")))
        historical, historical_people = probation.historical_cases(state)
        self._people.append(historical_people)
        self._vcs_cases = pl.concat([historical, probation.with_victims(vcs_cases, victims)])
        rj_backlog, rj_people = restorative.backlog(state)
        self._people.append(rj_people)
        self._rj_cases = rj_funnel.with_funnel(
            self.draws, pl.concat([rj_backlog, restorative.with_victims(rj_cases, victims, self.draws)])
        )

    def advance(self, month: Month) -> MonthWorld:
        state, d = self.state, self.draws
        all_victims, new_people = victims_for_month(state, month)
        self._people.append(new_people)
        victims, first_delivery = self._redelivery(month, all_victims)
        crimes = victims.group_by("crime_id", maintain_order=True).agg(
            pl.col("crime_ref", "report_date", "offence_group", "borough_code").first(),
            victim_person_id=pl.col("person_id").first(),
        )
        outcomes, offenders = outcomes_for_crimes(state, crimes)
        self._people.append(offenders)
        self._pending_outcomes = _append(self._pending_outcomes, outcomes.filter(pl.col("outcome_date") <= state.window_end))
        self._schedule_courts(outcomes, offenders)

        self._uss_pool = survey.add_to_pool(self._uss_pool, victims)
        interviews, self._uss_pool = survey.interviews_for_month(state, self._uss_pool, month)

        reported = hubs.referrals_of_police_victims(state, victims)
        unreported, hub_people = hubs.unreported_referrals(state, month, victims)
        self._people.append(hub_people)
        new_hub = pl.concat([reported, unreported])
        self._pending_hub = _append(self._pending_hub, new_hub)

        rj_unreported, rj_people = restorative.unreported(state, month)
        self._people.append(rj_people)
        new_rj = pl.concat([
            restorative.from_police_victims(state, victims, outcomes),
            restorative.from_hub_referrals(state, new_hub),
            rj_unreported,
        ])
        self._rj_cases = pl.concat([self._rj_cases, rj_funnel.with_funnel(d, new_rj)])

        in_month = lambda column: pl.col(column).is_between(month.start, month.end)  # noqa: E731
        outcomes_now = self._pending_outcomes.filter(in_month("outcome_date"))
        self._pending_outcomes = self._pending_outcomes.filter(pl.col("outcome_date") > month.end)
        hearings_now = self._pending_hearings.filter(in_month("hearing_date"))
        self._pending_hearings = self._pending_hearings.filter(pl.col("hearing_date") > month.end)
        hub_now = hubs.as_extracted(self._pending_hub, month)
        self._pending_hub = self._pending_hub.filter(pl.col("date_received") > month.end)
        people = pl.concat(self._people)
        self._people = []
        return MonthWorld(
            month=month,
            victims=victims,
            first_delivery_victims=first_delivery,
            outcomes=outcomes_now,
            hearings=hearings_now,
            first_delivery_hearings=self._court_redelivery(month, hearings_now),
            interviews=interviews,
            hub_referrals=hub_now,
            vcs_cases=probation.as_at(self._vcs_cases, month.end),
            rj_cases=rj_funnel.as_at(self._rj_cases, month.end),
            people=people,
        )

    def _redelivery(self, month: Month, victims: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
        """(the true victims, the first delivery's victims when the month is re-delivered).

        Every month has a few records later cancelled and a few recorded late; they only show
        when a first delivery is superseded, but are drawn regardless so the world does not
        depend on which months are re-delivered.
        """
        d, key = self.draws, pl.col("victim_row_id")
        single = pl.col("victims_in_crime") == 1
        flagged = victims.with_columns(
            cancel_draw=pl.when(single).then(d.uniform(key, "v2.cancelled")),
            late_draw=pl.when(single).then(d.uniform(key, "v2.late")),
        )
        # At least one record of each kind, so every re-delivery visibly adds and removes records.
        cancelled = ((pl.col("cancel_draw") < CANCELLED_SHARE) | (pl.col("cancel_draw") == pl.col("cancel_draw").min())).fill_null(False)
        late = ((pl.col("late_draw") < LATE_SHARE) | (pl.col("late_draw") == pl.col("late_draw").min())).fill_null(False) & ~cancelled
        flagged = flagged.with_columns(cancelled=cancelled, late=late)
        helpers = ["cancel_draw", "late_draw", "cancelled", "late"]
        truth = flagged.filter(~pl.col("cancelled")).drop(helpers)
        if month not in self.redelivered:
            return truth, None
        return truth, flagged.filter(~pl.col("late")).drop(helpers)

    def _court_redelivery(self, month: Month, hearings: pl.DataFrame) -> pl.DataFrame | None:
        """The first delivery's hearings when the month is re-delivered, else None.

        Unlike the police records, nothing here changes the world: the `_v2` is the world's month
        as it is, and the first delivery differs from it by hearings entered late (missing), extra
        listings made in error (a second hearing of the same case on the same day, under its own
        hearing_id), and trials whose victim attendance was not yet recorded (blank). At least one
        of each where the month allows, so every re-delivery visibly adds, removes and corrects.
        """
        if month not in self.courts_redelivered or hearings.is_empty():
            return None
        d, key = self.draws, pl.col("crime_id") * 10 + pl.col("slot")
        attendance = (pl.col("hearing_type") == "Trial") & pl.col("victim_attended").is_in(["Y", "N"]).fill_null(False)
        flagged = hearings.with_columns(
            late_draw=d.uniform(key, "court.v2.late"),
            error_draw=d.uniform(key, "court.v2.listed_in_error"),
            attendance_draw=pl.when(attendance).then(d.uniform(key, "court.v2.attendance_late")),
        )
        late = (pl.col("late_draw") < LATE_HEARING_SHARE) | (pl.col("late_draw") == pl.col("late_draw").min())
        flagged = flagged.with_columns(late=late)
        draw = pl.col("error_draw")
        in_error = ((draw < LISTED_IN_ERROR_SHARE) | (draw == draw.filter(~pl.col("late")).min())) & ~pl.col("late")
        draw = pl.col("attendance_draw")
        attendance_late = ((draw < LATE_ATTENDANCE_SHARE) | (draw == draw.filter(~pl.col("late")).min())).fill_null(False) & ~pl.col("late")
        flagged = flagged.with_columns(in_error=in_error, attendance_late=attendance_late)
        first = flagged.filter(~pl.col("late")).with_columns(
            victim_attended=pl.when(pl.col("attendance_late")).then(None).otherwise(pl.col("victim_attended"))
        )
        listed_twice = flagged.filter(pl.col("in_error")).with_columns(slot=pl.lit(SLOT_LISTED_IN_ERROR).cast(hearings.schema["slot"]))
        helpers = ["late_draw", "error_draw", "attendance_draw", "late", "in_error", "attendance_late"]
        return pl.concat([first, listed_twice.select(first.columns)]).drop(helpers).sort("crime_id", "slot")

    def _schedule_courts(self, outcomes: pl.DataFrame, offenders: pl.DataFrame) -> None:
        state = self.state
        cases = outcomes.filter(pl.col("outcome_code") == 1).select(
            "crime_id", "urn", "borough_code", "offence_group", pl.col("outcome_date").alias("charge_date"),
            "offender_id", "victim_person_id",
        )
        hearings, sentences = schedule_cases(state, cases)
        hearings = hearings.filter(pl.col("hearing_date") <= state.window_end)
        self._pending_hearings = pl.concat([self._pending_hearings, self._with_defendants(hearings, offenders)])
        sentences = sentences.filter(pl.col("sentence_date") <= state.window_end)
        # Probation and RJ hold the victim's true details, not the police record's gaps.
        people = make_people(
            self.draws,
            sentences.select(person_id="victim_person_id").unique().sort("person_id")
            .join(state.victim_pool, on="person_id", how="left", maintain_order="left")
            .select("person_id", role=pl.lit("victim"), home_borough_code="borough_code", p_female="p_female", police_victim=pl.lit(True)),
            state.window_start,
        )
        vcs = probation.with_victims(probation.cases_from_sentences(state, sentences), people)
        self._vcs_cases = pl.concat([self._vcs_cases, vcs])
        rj = restorative.from_court_cases(state, sentences)
        rj = rj.filter(pl.col("referral_date") <= state.window_end)
        self._rj_cases = pl.concat([self._rj_cases, rj_funnel.with_funnel(self.draws, restorative.with_victims(rj, people, self.draws))])

    @staticmethod
    def _with_defendants(hearings: pl.DataFrame, offenders: pl.DataFrame) -> pl.DataFrame:
        defendants = offenders.select(
            offender_id="person_id", defendant_forename="forename", defendant_surname="surname",
            defendant_dob="dob", defendant_pnc="pnc",
        )
        return hearings.join(defendants, on="offender_id", how="left", maintain_order="left")


def _append(pending: pl.DataFrame | None, new: pl.DataFrame) -> pl.DataFrame:
    return new if pending is None else pl.concat([pending, new])
