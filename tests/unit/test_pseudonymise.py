"""The privacy boundary: tokens match RFC 2104 HMAC, and no clear personal data is stored."""
import hashlib
import hmac

from datetime import date

import duckdb
import polars as pl

from pipelines.ingest.load import ensure_raw_table, load_rows
from pipelines.ingest.pseudonymise import install_token_macro, prepare, raw_columns
from pipelines.ingest.read import ROW_NUMBER, Batch
from pipelines.ingest.reference import rule_context
from pipelines.ingest.validate import FileValidation
from schemas.contract import load_contracts
from tests.conftest import police_row

CONTRACT = load_contracts()["police_crimes"]


def test_duckdb_tokens_are_the_first_128_bits_of_python_hmac_sha256_for_any_text():
    con = duckdb.connect()
    install_token_macro(con, "k" * 100)  # longer than a block: hashed first, as RFC 2104 says
    for text in ["SMITH", "O'Brien\\x41", "Zoë", ""]:
        expected = hmac.new(b"k" * 100, f"name:{text}".encode(), hashlib.sha256).hexdigest()[:32]
        assert con.execute("select pii_token('name', ?)", [text]).fetchone()[0] == expected


def _loaded(key="key-1", **overrides):
    con = duckdb.connect()
    row = police_row(**overrides)
    validation = FileValidation(CONTRACT, rule_context(date(2025, 4, 1)), list(row))
    accepted = validation.batch(Batch(pl.DataFrame([{ROW_NUMBER: 1, **row}])))
    ensure_raw_table(con, CONTRACT, key)
    load_rows(con, CONTRACT, prepare(accepted, CONTRACT), file_id=7)
    return con, con.sql("select * from raw.police_crimes").pl()


def test_the_stored_row_has_tokens_and_coarse_attributes_but_no_clear_personal_data():
    con, stored = _loaded(victim_forename="Canaryfore", victim_surname="Canarysur", victim_postcode="n1 9gu",
                          victim_dob="1980-05-01", victim_phone="07700900123", victim_email="canary@example.org")
    row = stored.row(0, named=True)
    text = " ".join(str(v) for v in row.values()).upper()
    for clear in ["CANARYFORE", "CANARYSUR", "N1 9GU", "1980-05-01", "07700900123", "CANARY@EXAMPLE.ORG", "V12345678"]:
        assert clear not in text
    assert row["victim_postcode_district"] == "N1" and row["victim_birth_year"] == 1980
    assert row["victim_age_band"] == "35-44" and row["borough_code"] == "E09000007"
    expected = hmac.new(b"key-1", b"name:CANARYSUR", hashlib.sha256).hexdigest()[:32]
    assert row["victim_surname_token"] == expected
    assert [c for c in stored.columns if not c.startswith("_")] == [n for n, _ in raw_columns(CONTRACT)]


def test_rows_sharing_the_only_personal_value_of_a_feed_are_each_loaded_once():
    """One victim interviewed about two crimes: the survey's one tokenised column repeats a value,
    which is tokenised once and joined back to each of its rows (never multiplying them)."""
    contract = load_contracts()["uss_responses"]
    header = [c.delivered_as for c in contract.columns]
    rows = [{ROW_NUMBER: n, **dict.fromkeys(header, None), "response_id": f"USS000000{n}", "crime_ref": f"400000{n}/25",
             "victim_ref": "V12345678", "interview_date": f"2025-04-0{n} 10:00:00", "interview_mode": "Telephone",
             "sample_crime_type": "Assault"} for n in (1, 2)]
    validation = FileValidation(contract, rule_context(date(2025, 4, 1)), header)
    accepted = validation.batch(Batch(pl.DataFrame(rows, schema={ROW_NUMBER: pl.Int64, **dict.fromkeys(header, pl.String)})))
    con = duckdb.connect()
    ensure_raw_table(con, contract, "key-1")
    load_rows(con, contract, prepare(accepted, contract), file_id=7)
    assert con.execute("select _row_number, count(*), count(distinct victim_ref_token) from raw.uss_responses "
                       "group by all order by all").fetchall() == [(1, 1, 1), (2, 1, 1)]


def test_a_swapped_day_and_month_keeps_the_unordered_date_of_birth_token():
    _, a = _loaded(victim_dob="1980-05-03")
    _, b = _loaded(victim_dob="1980-03-05")
    assert a["victim_dob_token"][0] != b["victim_dob_token"][0]
    assert a["victim_dob_unordered_day_month_token"][0] == b["victim_dob_unordered_day_month_token"][0]


def test_tokens_depend_on_the_key():
    _, a = _loaded(key="key-1")
    _, b = _loaded(key="key-2")
    assert a["victim_ref_token"][0] != b["victim_ref_token"][0]


def test_age_band_is_taken_at_the_report_date():
    assert _loaded(victim_dob="2009-04-05")[1]["victim_age_band"][0] == "0-15"   # 15 the day after reporting
    assert _loaded(victim_dob="2009-04-04")[1]["victim_age_band"][0] == "16-24"  # 16 on the report date
    assert _loaded(victim_dob="")[1]["victim_age_band"][0] == "Unknown"


def test_token_inputs_are_fixed_so_tokens_stay_comparable_with_earlier_loads():
    """Changing how a value is normalised before hashing would split every person from their
    earlier records: these exact messages are part of the warehouse's contract."""
    _, stored = _loaded(victim_forename="Zoë", victim_dob="1980-05-03", victim_postcode="n19gu")
    row = stored.row(0, named=True)

    def token(message: bytes) -> str:
        return hmac.new(b"key-1", message, hashlib.sha256).hexdigest()[:32]

    assert row["victim_forename_token"] == token(b"name:ZOE")
    assert row["victim_forename_initial_token"] == token(b"initial:Z")
    assert row["victim_surname_soundex_token"] == token(b"soundex:S530")
    assert row["victim_ref_token"] == token(b"victim_ref:V12345678")
    assert row["victim_postcode_token"] == token(b"postcode:N1 9GU")
    assert row["victim_dob_token"] == token(b"dob:1980-05-03")
    assert row["victim_dob_unordered_day_month_token"] == token(b"dob_unordered:1980-3-5")
