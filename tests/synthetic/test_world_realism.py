"""The synthetic London looks like London: volumes follow the real counts, and rates land in
the ranges the spec README reports. Checked on the world itself at full scale (no files)."""

import polars as pl
import pytest

from pipelines.synthetic.calibration import calibration_month, counts_for
from pipelines.synthetic.codes import USS_SATISFIED, USS_STATED_NON_WHITE, USS_VALID_ANSWERS, WITNESS_REASONS
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.months import window
from pipelines.synthetic.reference import bcu_of
from pipelines.synthetic.working_days import within_working_days
from pipelines.synthetic.world.outcomes import outcomes_for_crimes
from pipelines.synthetic.world.state import WorldState
from pipelines.synthetic.world.world import World

MONTHS = window("2025-01", 2)


@pytest.fixture(scope="module")
def london():
    world = World(seed=3, scale=1.0, months=MONTHS)
    return [world.advance(month) for month in MONTHS]


def test_a_month_outside_the_calibration_uses_the_same_month_of_the_nearest_year():
    assert calibration_month(2025, 1) == 202501
    assert calibration_month(2030, 5) == 202505
    assert calibration_month(2009, 2) == 201102


def test_police_victims_per_borough_follow_the_calibration_counts(london):
    victims = pl.concat([m.victims for m in london]).group_by("borough_code").len()
    expected = pl.concat([counts_for(m.year, m.month) for m in MONTHS]).group_by("borough_code").agg(expected=pl.col("count").sum())
    both = victims.join(expected, on="borough_code")
    assert both.height == 32
    # A few records per month are later cancelled (they only show in a superseded v1).
    assert both["len"].sum() == pytest.approx(both["expected"].sum(), rel=0.02)
    assert both.select(pl.corr("len", "expected")).item() > 0.995
    assert ((both["len"] / both["expected"] - 1).abs() < 0.08).all()


def test_crime_and_victim_shares(london):
    victims = london[0].victims
    vap = victims.filter(pl.col("offence_group") == "Violence Against the Person")
    assert 0.03 <= victims["hate_crime"].mean() <= 0.05
    assert 0.12 <= vap["domestic_abuse"].mean() <= 0.18
    assert 0.20 <= victims["enhanced_rights"].mean() <= 0.30
    assert 0.03 <= (victims.group_by("crime_id").len()["len"] > 1).mean() <= 0.15


def test_repeat_victims_come_back_in_later_months(london):
    first, second = (set(m.victims["victim_ref"]) for m in london)
    assert 0.01 < len(first & second) / len(second) < 0.15


def test_victims_code_follow_ups_land_in_realistic_ranges(london):
    victims = london[0].victims
    rj_days = pl.select(pl.when(pl.lit(victims["enhanced_rights"])).then(1).otherwise(5)).to_series()
    rj_on_time = within_working_days(victims["rj_info_date"], victims["report_date"], rj_days).mean()
    consenting = victims.filter(pl.col("support_consent") == "Y")
    referral = within_working_days(consenting["support_referral_date"], consenting["report_date"], 2).mean()
    assert 0.20 <= rj_on_time <= 0.40
    assert 0.60 <= victims["needs_assessment_date"].is_not_null().mean() <= 0.85
    assert 0.60 <= referral <= 0.85


def test_seven_to_ten_percent_of_crimes_are_charged(london):
    crimes = london[0].victims.group_by("crime_id", maintain_order=True).agg(
        pl.col("crime_ref", "report_date", "offence_group", "borough_code").first(), victim_person_id=pl.col("person_id").first()
    )
    outcomes, _ = outcomes_for_crimes(WorldState(Draws(3), 1.0, MONTHS), crimes)
    assert 0.07 <= (outcomes["outcome_code"] == 1).mean() <= 0.10
    assert (outcomes["outcome_date"] >= outcomes["report_date"]).all()


def test_survey_interviews_are_quota_sampled_per_bcu(london):
    for month in london:
        interviews = month.interviews
        assert interviews.height == 800
        per_bcu = interviews["borough_code"].replace_strict(bcu_of()).value_counts()["count"]
        assert per_bcu.min() >= 66 and per_bcu.max() <= 67
        assert (interviews["interview_date"].dt.date() > interviews["report_date"]).all()


def test_satisfaction_is_in_range_and_white_respondents_are_more_satisfied(london):
    responses = pl.concat([m.interviews for m in london])
    answered = responses.filter(pl.col("q_overall").is_in(list(USS_VALID_ANSWERS)))
    satisfied = pl.col("q_overall").is_in(list(USS_SATISFIED))
    overall = answered.select(satisfied.mean()).item()
    white = answered.filter(pl.col("respondent_ethnic_group") == "White").select(satisfied.mean()).item()
    others = answered.filter(pl.col("respondent_ethnic_group").is_in(list(USS_STATED_NON_WHITE))).select(satisfied.mean()).item()
    assert 0.55 <= overall <= 0.75
    assert 0.01 < white - others < 0.10


def test_survey_questions_are_correlated(london):
    responses = pl.concat([m.interviews for m in london])
    score = {a: i for i, a in enumerate(USS_VALID_ANSWERS)}
    scored = responses.select(
        [pl.col(q).replace_strict(score, default=None).alias(q) for q in ("q_overall", "q_treatment", "q_kept_informed")]
    ).drop_nulls()
    assert scored.select(pl.corr("q_overall", "q_treatment")).item() > 0.4
    assert scored.select(pl.corr("q_overall", "q_kept_informed")).item() > 0.4


def test_court_volumes_and_trial_outcomes(london):
    for month in london:
        assert 10_000 <= month.hearings.height <= 17_000
    trials = pl.concat([m.hearings for m in london]).filter(pl.col("hearing_type") == "Trial")
    ineffective = trials.filter(pl.col("trial_outcome") == "Ineffective")
    assert 0.18 <= ineffective["outcome_reason"].is_in(list(WITNESS_REASONS)).mean() <= 0.32


def test_rj_referrals_and_participants_satisfaction(london):
    for month in london:
        referred = month.rj_cases.filter(pl.col("referral_date").is_between(month.month.start, month.month.end))
        assert 120 <= referred.height <= 320
    surveyed = london[-1].rj_cases["victim_satisfaction"].drop_nulls()
    assert 0.75 <= (surveyed >= 4).mean() <= 0.95


def test_hubs_see_crimes_never_reported(london):
    referrals = london[-1].hub_referrals
    assert referrals["borough_code"].n_unique() == 8
    assert 0.15 <= (referrals["crime_reported"] == "No").mean() <= 0.45


def test_vcs_cases_refer_eligible_victims_mostly_on_time(london):
    cases = london[-1].vcs_cases.filter(pl.col("eligible") & pl.col("sentence_date").is_between(*(m.start for m in MONTHS)))
    on_time = within_working_days(cases["referral_date"], cases["sentence_date"], 10).mean()
    assert cases.height > 50 and 0.65 <= on_time <= 0.95
