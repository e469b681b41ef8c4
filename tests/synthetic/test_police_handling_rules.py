"""The police_crimes handling rules the expected metrics rely on, one rule per row."""

import polars as pl
import pytest

from pipelines.synthetic.feeds import police_crimes
from pipelines.synthetic.feeds.contract import FileContext, handle, validate
from pipelines.synthetic.months import Month

GOOD = {
    "crime_ref": "4012345/25", "victim_ref": "V12345678", "report_date": "2025-04-04", "offence_date": "2025-04-01",
    "offence_group": "Burglary", "offence_subgroup": "Burglary - Residential", "hate_crime": "N",
    "domestic_abuse": "N", "borough": "Camden", "lsoa21_code": "E01000907", "victim_forename": "John",
    "victim_surname": "Smith", "victim_dob": "1980-05-01", "victim_postcode": "N1 9GU", "victim_phone": "07700900000",
    "victim_email": "john@example.org", "victim_gender": "M", "victim_ethnicity": "W1", "enhanced_rights": "N",
    "needs_assessment_date": "2025-04-05", "support_consent": "Y", "support_referral_date": "2025-04-08",
    "rj_info_date": "2025-04-09",
}
CTX = FileContext("police_crimes", "met_crimes_2025-04.csv", period=Month(2025, 4))

CASES = [
    ({"crime_ref": " "}, "crime_ref", "missing_required", "row"),
    ({"crime_ref": "401234525"}, "crime_ref", "invalid_format", "row"),
    ({"victim_ref": "V1234567"}, "victim_ref", "invalid_format", "row"),
    ({"victim_ref": "v12345678"}, None, None, None),
    ({"report_date": "04/04/2025"}, "report_date", "invalid_date", "row"),
    ({"report_date": "2025-05-01", "needs_assessment_date": "2025-05-02", "support_referral_date": "", "rj_info_date": ""},
     "report_date", "outside_file_period", "row"),
    ({"offence_group": "burglary"}, None, None, None),
    ({"offence_group": "Burglery"}, "offence_group", "not_allowed_value", "row"),
    ({"offence_subgroup": ""}, "offence_subgroup", "missing_required", "row"),
    ({"hate_crime": "Yes"}, "hate_crime", "not_allowed_value", "row"),
    ({"enhanced_rights": "y"}, None, None, None),
    ({"borough": "London Borough of Camden"}, None, None, None),
    ({"borough": "Camdon"}, "borough", "unresolved_borough", "row"),
    ({"offence_date": "2025-04-05"}, "offence_date", "after_report_date", "field"),
    ({"offence_date": "2025-02-30"}, "offence_date", "invalid_date", "field"),
    ({"lsoa21_code": "E0100907"}, "lsoa21_code", "invalid_format", "field"),
    ({"lsoa21_code": "E01020000"}, "lsoa21_code", "not_london_lsoa", "field"),
    ({"victim_dob": "2025-04-05"}, "victim_dob", "dob_out_of_range", "field"),
    ({"victim_dob": "1899-12-31"}, "victim_dob", "dob_out_of_range", "field"),
    ({"victim_postcode": "n19gu"}, None, None, None),
    ({"victim_postcode": "N1 9G"}, "victim_postcode", "invalid_format", "field"),
    ({"victim_gender": "Male"}, "victim_gender", "not_allowed_value", "field"),
    ({"victim_ethnicity": "W4"}, "victim_ethnicity", "not_allowed_value", "field"),
    ({"support_consent": "not asked"}, None, None, None),
    ({"support_consent": "Yes"}, "support_consent", "not_allowed_value", "field"),
    ({"rj_info_date": "2025-04-03"}, "rj_info_date", "before_report_date", "field"),
    ({"support_referral_date": "2025-13-01"}, "support_referral_date", "invalid_date", "field"),
]


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: pl.String for c in police_crimes.COLUMNS}).with_columns(
        pl.all().replace("", None), _row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    )


@pytest.mark.parametrize(("change", "column", "check", "severity"), CASES)
def test_each_rule_fires_alone(change, column, check, severity):
    failures = validate(police_crimes.CONTRACT, _frame([GOOD | change]), CTX)
    expected = [] if check is None else [(1, column, check, severity)]
    assert failures.select("_row_number", "column", "check", "severity").rows() == expected


def test_duplicates_and_key_conflicts():
    other = GOOD | {"crime_ref": "4012346/25"}
    rows = [GOOD, GOOD, other, other | {"victim_gender": "F"}]
    failures = validate(police_crimes.CONTRACT, _frame(rows), CTX)
    assert failures.select("_row_number", "check").rows() == [(2, "duplicate_row"), (3, "key_conflict"), (4, "key_conflict")]


def test_handling_drops_quarantined_rows_and_nulls_bad_fields():
    frame = _frame([GOOD, GOOD | {"crime_ref": "4012399/25", "borough": "Camdon"}, GOOD | {"victim_ref": "V87654321", "rj_info_date": "2025-04-01"}])
    loaded = police_crimes.loaded(handle(police_crimes.CONTRACT, frame, validate(police_crimes.CONTRACT, frame, CTX), CTX))
    assert loaded["victim_ref"].to_list() == ["V12345678", "V87654321"]
    assert loaded["rj_info_date"].is_null().to_list() == [False, True]
    assert loaded["borough_code"].to_list() == ["E09000007", "E09000007"]
