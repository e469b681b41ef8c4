"""In a clean world every identifier, code and place follows extracts.md (checked here with
independent implementations, not the generator's own)."""

import json

import polars as pl
import pytest

CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def pnc_is_valid(pnc: str) -> bool:
    year, rest = pnc.split("/")
    return CHECK_LETTERS[int(year[2:] + rest[:7]) % 23] == rest[7]


def read(generated, feed) -> pl.DataFrame:
    return pl.concat([pl.read_csv(p, infer_schema_length=0, encoding="utf8-lossy") for p in generated.files(feed)])


@pytest.fixture(scope="module")
def police(clean):
    return read(clean, "police_crimes")


def test_pnc_check_letter_of_the_spec_example():
    assert pnc_is_valid("2019/0123456E") and not pnc_is_valid("2019/0123456F")


def test_crime_refs_end_with_the_report_year(police):
    assert police["crime_ref"].str.contains(r"^\d{7}/\d{2}$").all()
    assert (police["crime_ref"].str.slice(8, 2) == police["report_date"].str.slice(2, 2)).all()


def test_police_keys_and_victim_refs(police):
    assert police["victim_ref"].str.contains(r"^V\d{8}$").all()
    assert police.select(pl.struct("crime_ref", "victim_ref").is_unique().all()).item()


def test_some_crimes_have_several_victims_and_some_victims_several_crimes(police):
    assert police["crime_ref"].is_duplicated().any()
    assert police["victim_ref"].is_duplicated().any()


def test_postcodes_are_upper_case_with_one_space(police):
    assert police["victim_postcode"].drop_nulls().str.contains(POSTCODE).all()


def test_boroughs_and_lsoas_are_met_ones_and_agree(police):
    boroughs = pl.read_csv("dbt_project/seeds/ref_boroughs.csv")
    lsoas = pl.read_csv("dbt_project/seeds/ref_lsoa21_borough.csv")
    assert set(police["borough"]) <= set(boroughs.filter(pl.col("borough_code") != "E09000001")["borough_name"])
    located = police.filter(pl.col("lsoa21_code").is_not_null()).join(
        boroughs.select("borough_code", borough="borough_name"), on="borough"
    ).join(lsoas.rename({"borough_code": "lsoa_borough"}), on="lsoa21_code", how="left")
    assert (located["lsoa_borough"] == located["borough_code"]).all()


def test_codes_are_from_their_lists(police):
    assert set(police["victim_ethnicity"].drop_nulls()) <= {
        "W1", "W2", "W9", "M1", "M2", "M3", "M9", "A1", "A2", "A3", "A9", "B1", "B2", "B9", "O1", "O9", "NS"}
    assert set(police["victim_gender"].drop_nulls()) <= {"M", "F", "X", "U"}
    assert set(police["support_consent"].drop_nulls()) == {"Y", "N", "Not asked"}


def test_victims_are_aged_0_to_95(police):
    age = (pl.col("report_date").str.to_date() - pl.col("victim_dob").str.to_date()).dt.total_days() / 365.25
    ages = police.filter(pl.col("victim_dob").is_not_null()).select(age)["report_date"]
    assert ages.min() >= 0 and ages.max() < 96


def test_charges_carry_urns_and_valid_suspect_pncs(clean):
    outcomes = read(clean, "police_outcomes")
    charges = outcomes.filter(pl.col("outcome_code") == "1")
    assert charges["urn"].str.contains(r"^01[A-Z]{2}\d{7}$").all()
    assert set(charges["vps_offered"]) == {"Y", "N"}
    assert all(pnc_is_valid(p) for p in outcomes["suspect_pnc"].drop_nulls())
    assert outcomes["outcome_code"].cast(pl.Int64).is_between(1, 22).all()


def test_court_identifiers(clean):
    hearings = read(clean, "court_hearings")
    assert hearings["hearing_id"].str.contains(r"^H\d{9}$").all() and hearings["hearing_id"].is_unique().all()
    assert hearings["urn"].str.contains(r"^01[A-Z]{2}\d{7}$").all()
    assert all(pnc_is_valid(p) for p in hearings["defendant_pnc"].drop_nulls())


def test_survey_rj_and_hub_identifiers(clean):
    assert read(clean, "uss_responses")["response_id"].str.contains(r"^USS\d{7}$").all()
    rj = read(clean, "rj_cases")
    assert rj["rj_case_id"].str.contains(r"^RJL-\d{6}$").all()
    assert rj["offender_crn"].drop_nulls().str.contains(r"^[A-Z]\d{6}$").all()
    assert rj["crime_ref"].drop_nulls().str.contains(r"^\d{7}/\d{2}$").all()
    for path in clean.files("council_hub"):
        sheet = pl.read_excel(path, sheet_name="Referrals", infer_schema_length=0)
        assert sheet["Referral ID"].str.contains(r"^[A-Z]{3}-\d{5}$").all()
        assert sheet["Police Reference"].drop_nulls().str.contains(r"^\d{7}/\d{2}$").all()


def test_vcs_identifiers(clean):
    cases = [json.loads(line) for line in clean.files("probation_vcs")[-1].read_text().splitlines()]
    assert all(c["vcs_case_id"].startswith("VCS") and len(c["vcs_case_id"]) == 10 for c in cases)
    assert all(c["crn"][0].isalpha() and c["crn"][1:].isdigit() and len(c["crn"]) == 7 for c in cases)
    assert all(pnc_is_valid(c["pnc"]) for c in cases if c["pnc"])
    assert all(c["referral_date"] >= c["sentence"]["date"] for c in cases if c["referral_date"])
    eligible = [c for c in cases if c["eligible"]]
    assert eligible and all(
        c["offence_group"] in ("Violence Against the Person", "Sexual Offences") and c["sentence"]["custodial_months"] >= 12
        for c in eligible
    )
