import polars as pl
import pytest

from pipelines.ingest.normalise import borough_match_key, name_letters, postcode_district, compact_postcode, \
    postcode_with_one_space, soundex
from pipelines.ingest.reference import borough_lookup


def _apply(expr_fn, values):
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr_fn(pl.col("v")).alias("v"))["v"].to_list()


def resolve(names):
    keys = pl.DataFrame({"name": names}).with_columns(borough_key=borough_match_key(pl.col("name")))
    return keys.join(borough_lookup(), on="borough_key", how="left")["borough_code"].to_list()


def test_spec_borough_variants_resolve_to_their_gss_code():
    assert resolve(["City of Westminster", "Royal Borough of Kingston upon Thames", "Hammersmith & Fulham",
                    "barking-and-dagenham", "LONDON BOROUGH OF CAMDEN", "Richmond", "Kensington and Chelsea."]) == [
        "E09000033", "E09000021", "E09000013", "E09000002", "E09000007", "E09000027", "E09000020"]


def test_names_that_do_not_reduce_to_a_borough_do_not_resolve():
    assert resolve(["Camdn", "City of London", "Kingston upon Hull", "Westminster Abbey"]) == [None] * 4


@pytest.mark.parametrize("name, code", [
    ("Robert", "R163"), ("Rupert", "R163"), ("Rubin", "R150"), ("Ashcraft", "A261"), ("Ashcroft", "A261"),
    ("Tymczak", "T522"), ("Pfister", "P236"), ("Honeyman", "H555"), ("Lee", "L000"), ("O'Brien", "O165"),
])
def test_soundex_matches_the_standard_examples(name, code):
    assert _apply(lambda e: soundex(name_letters(e)), [name]) == [code]


def test_name_letters_strip_accents_punctuation_and_case():
    assert _apply(name_letters, ["Zoë O'Brien-Smith", "  ", None]) == ["ZOEOBRIENSMITH", None, None]


def test_postcodes_normalise_to_upper_case_with_one_space():
    assert _apply(lambda e: postcode_with_one_space(compact_postcode(e)), ["n19gu", "SW1A  1AA"]) == ["N1 9GU", "SW1A 1AA"]
    assert _apply(lambda e: postcode_district(compact_postcode(e)), ["n1 9gu", "SW1A 1AA"]) == ["N1", "SW1A"]
