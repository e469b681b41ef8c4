"""Validation decides per row and per field: exact checks, severities and counts."""
from datetime import date

import polars as pl
import pytest

from pipelines.ingest.findings import REDACTED
from pipelines.ingest.read import ROW_NUMBER
from pipelines.ingest.reference import rule_context
from pipelines.ingest.validate import FileRejected, too_many_failures
from schemas.contract import load_contracts
from tests.conftest import police_row, validate_whole_file, write_police_file

CONTRACT = load_contracts()["police_crimes"]
APRIL = rule_context(date(2025, 4, 1))


def run(tmp_path, rows, **kwargs):
    path = write_police_file(tmp_path / "met_crimes_2025-04.csv", rows, **kwargs)
    return validate_whole_file(path, CONTRACT, APRIL)


def findings(result):
    return sorted((r["row_number"], r["column_name"] or "", r["check_name"], r["severity"])
                  for r in result.findings.iter_rows(named=True))


@pytest.mark.parametrize("column, value, check", [
    ("crime_ref", "4012345-25", "invalid_format"),
    ("crime_ref", "", "missing_required"),
    ("victim_ref", "X12345678", "invalid_format"),
    ("report_date", "04/04/2025", "invalid_date"),
    ("report_date", "2025-05-01", "outside_file_period"),
    ("offence_group", "Burglery", "not_allowed_value"),
    ("offence_subgroup", " ", "missing_required"),
    ("hate_crime", "Yes", "not_allowed_value"),
    ("enhanced_rights", "", "missing_required"),
    ("borough", "Camdn", "unresolved_borough"),
])
def test_a_bad_required_value_quarantines_the_row_with_one_check(tmp_path, numbered_rows, column, value, check):
    rows = numbered_rows(4)
    rows[1][column] = value
    result = run(tmp_path, rows)
    assert findings(result) == [(2, column, check, "row")]
    assert (result.rows_received, result.rows_quarantined, result.frame.height) == (4, 1, 3)


@pytest.mark.parametrize("column, value, check", [
    ("offence_date", "2025-04-05", "after_report_date"),
    ("offence_date", "2025-02-30", "invalid_date"),
    ("lsoa21_code", "E0100090", "invalid_format"),
    ("lsoa21_code", "E01099999", "not_london_lsoa"),
    ("victim_dob", "1899-12-31", "dob_out_of_range"),
    ("victim_dob", "2025-04-05", "dob_out_of_range"),
    ("victim_postcode", "N1 9G", "invalid_format"),
    ("victim_gender", "Male", "not_allowed_value"),
    ("victim_ethnicity", "W3", "not_allowed_value"),
    ("support_consent", "maybe", "not_allowed_value"),
    ("needs_assessment_date", "2025-04-03", "before_report_date"),
    ("support_referral_date", "2025-04-03", "before_report_date"),
    ("rj_info_date", "2025-13-01", "invalid_date"),
])
def test_a_bad_optional_value_is_nulled_and_the_row_kept(tmp_path, numbered_rows, column, value, check):
    rows = numbered_rows(3)
    rows[2][column] = value
    result = run(tmp_path, rows)
    assert findings(result) == [(3, column, check, "field")]
    assert result.rows_quarantined == 0 and result.fields_nulled == 1
    kept = result.frame.filter(pl.col(ROW_NUMBER) == 3)
    assert kept[column].to_list() == [None]


def test_exact_duplicates_load_once_and_key_conflicts_load_never(tmp_path, numbered_rows):
    rows = numbered_rows(5)
    rows.append(dict(rows[0]))                                    # row 6: exact copy of row 1
    rows.append({**rows[1], "offence_subgroup": "Something else"})  # row 7: same key as row 2, different
    result = run(tmp_path, rows)
    assert findings(result) == [(2, "", "key_conflict", "row"), (6, "", "duplicate_row", "row"),
                                (7, "", "key_conflict", "row")]
    reasons = dict(zip(result.findings["row_number"], result.findings["reason"]))
    assert reasons[6].endswith("(row 1)") and reasons[2].endswith("(crime_ref, victim_ref; rows 2, 7)")
    assert sorted(result.frame[ROW_NUMBER].to_list()) == [1, 3, 4, 5]


def test_pii_values_are_redacted_in_the_quarantine(tmp_path, numbered_rows):
    rows = numbered_rows(3)
    rows[0]["victim_postcode"] = "CANARY-POSTCODE"
    rows[1]["victim_ref"] = "CANARY-REF"
    result = run(tmp_path, rows)
    values = dict(zip(result.findings["column_name"], result.findings["value"]))
    assert values == {"victim_postcode": REDACTED, "victim_ref": REDACTED}


def test_non_pii_values_are_kept_in_the_quarantine_for_the_sender(tmp_path, numbered_rows):
    rows = numbered_rows(2)
    rows[0]["borough"] = "Camdn"
    assert run(tmp_path, rows).findings["value"].to_list() == ["Camdn"]


def test_the_rejection_threshold_is_a_share_of_rows_failing_at_row_level():
    assert too_many_failures(3, 10, 0.2).startswith("3 of 10 rows (30%) failed row-level checks, above the 20% limit")
    assert too_many_failures(3, 10, 0.3) is None and too_many_failures(2, 10, 0.2) is None


def test_field_defects_do_not_count_as_failing_rows(tmp_path, numbered_rows):
    result = run(tmp_path, numbered_rows(4, victim_gender="??"))
    assert (result.rows_quarantined, result.fields_nulled) == (0, 4)


def test_a_missing_required_column_rejects_the_file_and_names_it(tmp_path, numbered_rows):
    columns = [c.name for c in CONTRACT.columns if c.name != "borough"]
    with pytest.raises(FileRejected, match="required column\\(s\\) missing: borough"):
        run(tmp_path, numbered_rows(2), columns=columns)


def test_header_case_spacing_order_extras_and_trailing_blank_rows_are_accepted(tmp_path, numbered_rows):
    path = tmp_path / "met_crimes_2025-04.csv"
    write_police_file(path, numbered_rows(2))
    lines = path.read_text().splitlines()
    header = [h.upper().replace("_", " ") for h in lines[0].split(",")]
    body = [",".join([*line.split(","), "extra"]) for line in lines[1:]]
    path.write_bytes(("\ufeff" + "\r\n".join([",".join([*header, "Source System"]), *body, "," * 23, ""]))
                     .encode("utf-8"))
    result = validate_whole_file(path, CONTRACT, APRIL)
    assert result.frame.height == 2 and result.findings.is_empty()
    assert result.warnings == ["extra column(s) ignored: source_system"]


def test_an_exact_copy_is_found_across_batches_and_a_key_conflict_takes_back_an_earlier_row(tmp_path, numbered_rows,
                                                                                           monkeypatch):
    monkeypatch.setattr("pipelines.ingest.read.BATCH_BYTES", 4096)  # about 12 rows a batch
    rows = numbered_rows(60)
    rows.append(dict(rows[2]))                                     # row 61: copy of row 3, many batches back
    rows.append({**rows[4], "offence_subgroup": "Something else"})  # row 62: shares row 5's key
    result = run(tmp_path, rows)
    assert sorted((r["row_number"], r["check_name"]) for r in result.findings.iter_rows(named=True)) == [
        (5, "key_conflict"), (61, "duplicate_row"), (62, "key_conflict")]
    assert result.frame.height == 59 and 5 not in result.frame[ROW_NUMBER].to_list()


def test_pandera_validates_only_the_columns_some_row_fails(tmp_path, numbered_rows, monkeypatch):
    import pipelines.ingest.validate as validate

    built = []
    real_build_schema = validate.build_schema
    monkeypatch.setattr(validate, "build_schema", lambda *a, only=None: built.append(only) or real_build_schema(*a, only=only))
    clean = run(tmp_path, numbered_rows(3))
    assert findings(clean) == [] and built == []  # one probe pass, no Pandera pass
    rows = numbered_rows(3)
    rows[0]["victim_postcode"] = "N1 9G"
    rows[2]["crime_ref"] = ""
    assert findings(run(tmp_path, rows)) == [(1, "victim_postcode", "invalid_format", "field"),
                                             (3, "crime_ref", "missing_required", "row")]
    assert built == [frozenset({"victim_postcode", "crime_ref"})]
