"""Every extract has exactly the file name, format and columns extracts.md fixes.

Expected names and headers are written out here from the spec, not imported from the generator.
"""

import json
import re
import zipfile

import fastexcel
import polars as pl
import pytest

SPEC_HEADERS = {
    "police_crimes": "crime_ref,victim_ref,report_date,offence_date,offence_group,offence_subgroup,hate_crime,"
    "domestic_abuse,borough,lsoa21_code,victim_forename,victim_surname,victim_dob,victim_postcode,victim_phone,"
    "victim_email,victim_gender,victim_ethnicity,enhanced_rights,needs_assessment_date,support_consent,"
    "support_referral_date,rj_info_date",
    "police_outcomes": "crime_ref,outcome_code,outcome_date,urn,suspect_pnc,vps_offered,victim_withdrew_support",
    "uss_responses": "response_id,crime_ref,victim_ref,interview_date,interview_mode,sample_crime_type,"
    "q_ease_of_contact,q_actions_taken,q_kept_informed,q_treatment,q_overall,respondent_ethnic_group,"
    "respondent_age_band,respondent_disability",
    "court_hearings": "hearing_id,urn,court_name,court_type,hearing_date,hearing_type,trial_outcome,outcome_reason,"
    "victim_attended,defendant_pnc,defendant_forename,defendant_surname,defendant_dob,verdict,sentence_type,"
    "custodial_months",
    "rj_cases": "rj_case_id,referral_date,referral_source,borough,cjs_stage,crime_ref,urn,offender_crn,"
    "victim_forename,victim_surname,victim_dob,victim_postcode,first_contact_date,assessment_date,"
    "assessment_outcome,victim_consent,offender_consent,intervention_type,intervention_date,case_status,"
    "closure_date,closure_reason,victim_satisfaction,would_recommend",
}
HUB_HEADERS = [
    "Referral ID", "Date Received", "Referral Source", "Crime Reported to Police", "Police Reference", "First Name",
    "Surname", "Date of Birth", "Postcode", "Needs Assessment Date", "Triage Outcome", "RJ Referral Date",
    "Case Closed Date",
]
FILE_NAMES = {
    "police_crimes": r"met_crimes_\d{4}-\d{2}(_v\d+)?\.csv",
    "police_outcomes": r"met_outcomes_\d{4}-\d{2}(_v\d+)?\.csv",
    "uss_responses": r"uss_responses_\d{4}-\d{2}(_v\d+)?\.csv",
    "court_hearings": r"hmcts_hearings_\d{4}-\d{2}(_v\d+)?\.csv",
    "probation_vcs": r"vcs_cases_\d{4}-\d{2}-\d{2}\.jsonl",
    "council_hub": r"[a-z-]+_victim_care_hub_\d{4}-\d{2}(_v\d+)?\.xlsx",
    "rj_cases": r"restore_london_cases_\d{4}-\d{2}-\d{2}\.csv",
}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def test_only_the_seven_synthetic_feed_folders_are_written(messy):
    assert sorted(p.name for p in messy.landing.iterdir()) == sorted(FILE_NAMES)
    assert not (messy.truth.resolve()).is_relative_to(messy.landing.resolve())


@pytest.mark.parametrize("feed", sorted(FILE_NAMES))
def test_file_names_follow_the_spec_pattern(messy, feed):
    names = [p.name for p in messy.files(feed)]
    assert names and all(re.fullmatch(FILE_NAMES[feed], n) for n in names), names


@pytest.mark.parametrize("feed", sorted(SPEC_HEADERS))
def test_csv_headers_are_exactly_the_spec_columns(messy, feed):
    for path in messy.files(feed):
        assert _decode(path.read_bytes()).splitlines()[0] == SPEC_HEADERS[feed]


def test_the_first_police_month_and_the_second_court_month_are_redelivered_as_v2(messy):
    names = [p.name for p in messy.files("police_crimes")]
    assert "met_crimes_2025-01.csv" in names and "met_crimes_2025-01_v2.csv" in names
    names = [p.name for p in messy.files("court_hearings")]
    assert "hmcts_hearings_2025-02.csv" in names and "hmcts_hearings_2025-02_v2.csv" in names
    versioned = [p.name for feed in FILE_NAMES for p in messy.files(feed) if re.search(r"_v\d+\.", p.name)]
    assert sorted(versioned) == ["hmcts_hearings_2025-02_v2.csv", "met_crimes_2025-01_v2.csv"]


def test_the_resent_snapshot_has_its_spec_name_and_header(messy):
    [resent] = (messy.truth / "resent" / "rj_cases").iterdir()
    assert re.fullmatch(FILE_NAMES["rj_cases"], resent.name)
    assert resent.read_text(encoding="utf-8").splitlines()[0] == SPEC_HEADERS["rj_cases"]


def test_a_clean_world_has_no_redelivery(clean):
    assert not any("_v2" in p.name for feed in FILE_NAMES for p in clean.files(feed))
    assert not (clean.truth / "resent").exists()
    assert clean.table("files")["delivery"].to_list() == [1] * clean.table("files").height


def test_some_court_files_are_windows_1252_with_curly_apostrophes(messy):
    raw = [p.read_bytes() for p in messy.files("court_hearings")]
    cp1252 = [data for data in raw if b"\x92" in data]
    assert cp1252, "no Windows-1252 court file"
    for data in cp1252:
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "Magistrates’ Court" in data.decode("cp1252")
    assert any("’".encode() in data for data in raw), "no UTF-8 court file"


def test_court_dates_are_day_month_year(messy):
    frame = pl.read_csv(messy.files("court_hearings")[0], infer_schema_length=0, encoding="utf8-lossy")
    clean_dates = frame["hearing_date"].drop_nulls()
    assert clean_dates.str.contains(r"^\d{2}/\d{2}/\d{4}$").mean() > 0.97
    assert frame["defendant_dob"].drop_nulls().str.contains(r"^\d{2}/\d{2}/\d{4}$").mean() > 0.97


def test_hub_workbooks_have_one_referrals_sheet_with_the_spec_headers(messy):
    for path in messy.files("council_hub"):
        reader = fastexcel.read_excel(str(path))
        assert reader.sheet_names == ["Referrals"]
        sheet = pl.read_excel(path, sheet_name="Referrals", infer_schema_length=0)
        assert sheet.columns == HUB_HEADERS


def test_hub_file_names_use_the_borough_slug(messy):
    names = {p.name.split("_victim_care_hub_")[0] for p in messy.files("council_hub")}
    assert {"barnet", "hammersmith-and-fulham", "kingston-upon-thames"} <= names


def test_hub_dates_mix_real_date_cells_and_text(messy):
    kinds = set()
    for path in messy.files("council_hub"):
        values = pl.read_excel(path, sheet_name="Referrals", infer_schema_length=0)["Date Received"].drop_nulls()
        kinds |= {"cell" if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", v) else "text" for v in values}
    assert kinds == {"cell", "text"}


def test_some_hub_workbooks_end_in_formatted_blank_rows(messy):
    files = messy.table("files").filter(pl.col("feed") == "council_hub")
    trailing = 0
    for name, rows in files.select("file_name", "rows").rows():
        sheet = zipfile.ZipFile(messy.landing / "council_hub" / name).read("xl/worksheets/sheet1.xml").decode()
        trailing += sheet.count("<row ") > rows + 1
    assert 0 < trailing < files.height


def test_vcs_snapshots_are_json_lines_with_the_spec_nesting(messy):
    path = messy.files("probation_vcs")[-1]
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert cases
    first = cases[0]
    assert list(first) == [
        "vcs_case_id", "crn", "pnc", "urn", "offence_group", "sentence", "eligible", "referral_date", "victim",
        "vlo_first_contact_date", "victim_opted_in", "release", "last_updated",
    ]
    assert list(first["sentence"]) == ["date", "type", "custodial_months"]
    assert list(first["victim"]) == ["forename", "surname", "dob", "postcode"]
    assert list(first["release"]) == ["expected_date", "actual_date", "notification_date"]
    assert all(isinstance(c["eligible"], bool) for c in cases)
    assert {type(c["victim_opted_in"]) for c in cases} <= {bool, type(None)}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", first["last_updated"])


def test_snapshots_grow_and_cases_progress_between_them(messy):
    first, last = (pl.read_csv(p, infer_schema_length=0) for p in (messy.files("rj_cases")[0], messy.files("rj_cases")[-1]))
    assert last.height > first.height
    both = first.join(last, on="rj_case_id", suffix="_later")
    assert (both["case_status"] != both["case_status_later"]).any() or (
        both["first_contact_date"].is_null() & both["first_contact_date_later"].is_not_null()
    ).any()
