"""Probabilistic linkage on hand-made token frames, with the versioned trained model."""
from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.linkage import probabilistic
from pipelines.linkage.probabilistic import OUTPUT_SCHEMA, THRESHOLD, predict_links


def person(record_id: str, **overrides) -> dict:
    feed = record_id.split(":")[0]
    tokens = {"forename_token": "fn-ann", "forename_initial_token": "fi-a", "surname_token": "sn-okafor",
              "surname_soundex_token": "sx-o216", "dob_token": "dob-1990-03-14", "dob_unordered_token": "du-1990-03-14",
              "birth_year": 1990, "postcode_token": "pc-e1-6an", "postcode_district": "E1"}
    return {"record_id": record_id, "feed": feed, **tokens, **overrides}


def strangers(count: int) -> list[dict]:
    """Police victims unlike anyone above, so the candidate side is not trivially small."""
    return [person(f"police_crimes:other-{index}", forename_token=f"fn-{index}", forename_initial_token=f"fi-{index % 26}",
                   surname_token=f"sn-{index}", surname_soundex_token=f"sx-{index}", dob_token=f"dob-{index}",
                   dob_unordered_token=f"du-{index}", birth_year=1940 + index % 60, postcode_token=f"pc-{index}",
                   postcode_district=f"D{index % 40}") for index in range(count)]


def text_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=probabilistic.TEXT_INPUT_SCHEMA)


def frame(rows: list[dict]) -> pl.DataFrame:
    return probabilistic.prepare(text_frame(rows))


def links(unlinked: list[dict], candidates: list[dict]) -> pl.DataFrame:
    return predict_links(frame(unlinked), frame(candidates + strangers(50)))


def test_a_record_agreeing_on_every_token_links_above_threshold():
    hub = person("council_hub:B1|9")
    result = links([hub], [person("police_crimes:C1|V1"), hub])
    assert result.select("record_id", "matched_record_id").rows() == [("council_hub:B1|9", "police_crimes:C1|V1")]
    assert result["match_probability"][0] >= THRESHOLD


def test_day_and_month_swapped_with_the_same_names_links():
    rj = person("rj_cases:RJ1", dob_token="dob-1990-14-03")
    result = links([rj], [person("police_crimes:C1|V1"), rj])
    assert result["matched_record_id"].to_list() == ["police_crimes:C1|V1"]


def test_someone_else_sharing_only_district_and_birth_year_does_not_link():
    vcs = person("probation_vcs:P1")
    other = person("police_crimes:C2|V7", forename_token="fn-bo", forename_initial_token="fi-b", surname_token="sn-lee",
                   surname_soundex_token="sx-l000", dob_token="dob-1990-07-01", dob_unordered_token="du-1990-07-01",
                   postcode_token="pc-e1-7qq")
    assert links([vcs], [other, vcs]).is_empty()


def test_police_records_are_never_on_the_left_so_no_police_pair_appears():
    police = [person("police_crimes:C1|V1"), person("police_crimes:C9|V1")]
    assert links(police, police).is_empty()
    hub = person("council_hub:B1|9")
    result = links(police + [hub], police + [hub])
    assert set(result["record_id"]) == {"council_hub:B1|9"}


def test_survey_responses_never_link():
    survey = person("uss_responses:R1")
    assert links([survey], [person("police_crimes:C1|V1"), survey]).is_empty()


def test_output_columns_are_exact_even_when_empty():
    hub = person("council_hub:B1|9")
    assert links([hub], [person("police_crimes:C1|V1")]).schema == pl.Schema(OUTPUT_SCHEMA)
    assert predict_links(frame([]), frame([hub])).schema == pl.Schema(OUTPUT_SCHEMA)


def test_the_prior_is_diluted_for_a_larger_candidate_set_and_never_raised():
    saved = json.loads(probabilistic.MODEL_PATH.read_text())
    trained_on, prior = saved[probabilistic.TRAINING_CANDIDATES_KEY], saved["probability_two_random_records_match"]
    assert probabilistic.model_for(probabilistic.MODEL_PATH, trained_on * 10)["probability_two_random_records_match"] \
        == pytest.approx(prior / 10)
    small = probabilistic.model_for(probabilistic.MODEL_PATH, 10)
    assert small["probability_two_random_records_match"] == prior
    assert probabilistic.TRAINING_CANDIDATES_KEY not in small


def test_only_candidates_meeting_an_unlinked_record_on_a_blocking_rule_leave_duckdb_and_the_links_are_the_same():
    import duckdb

    hub = person("council_hub:B1|9")
    swapped = person("rj_cases:RJ1", dob_token="dob-1990-14-03", postcode_token="pc-other")
    candidates = [person("police_crimes:C1|V1"), person("police_crimes:C2|V2", postcode_token="pc-x"), hub, swapped,
                  *strangers(200)]
    con = duckdb.connect()
    con.register("linkage_records", text_frame(candidates).to_arrow())
    con.register("linkage_unlinked", text_frame([hub, swapped]).to_arrow())
    blocked = con.sql(probabilistic.blocked_candidates_sql("linkage_records", "linkage_unlinked")).pl()
    assert set(blocked["record_id"]) == {"police_crimes:C1|V1", "police_crimes:C2|V2", "council_hub:B1|9", "rj_cases:RJ1"}
    assert blocked.schema["dob_token"] == pl.UInt64
    unlinked = con.sql(f"select {probabilistic.compact_columns_sql('u')} from linkage_unlinked as u").pl()
    everyone = con.sql(f"select {probabilistic.compact_columns_sql('r')} from linkage_records as r").pl()
    from_everyone = predict_links(unlinked, everyone)
    assert set(from_everyone["record_id"]) == {"council_hub:B1|9", "rj_cases:RJ1"}
    assert predict_links(unlinked, blocked, candidate_count=len(candidates)).equals(from_everyone)
    # tokens hashed in DuckDB or in Polars give the same links
    assert predict_links(frame([hub, swapped]), frame(candidates)).equals(from_everyone)


def test_record_numbers_give_one_number_per_record_on_either_side_and_name_them_back():
    """Splink sees numbers, not ids: a record on both sides keeps one number (so it never meets
    itself), and every number in its pairs is named back to the id it stands for."""
    left = frame([person("council_hub:B1|9"), person("rj_cases:RJ1")])
    right = frame([person("police_crimes:C1|V1"), person("council_hub:B1|9")])
    numbers = probabilistic.RecordNumbers(left, right)
    left_numbers, right_numbers = numbers.of(left), numbers.of(right)
    assert left_numbers.schema["record_id"] == pl.Int64
    assert left_numbers.drop("record_id").equals(left.drop("record_id"))
    assert left_numbers["record_id"][0] == right_numbers["record_id"][1]
    assert len(set(left_numbers["record_id"]) | set(right_numbers["record_id"])) == 3
    pairs = pl.DataFrame({"record_id_l": left_numbers["record_id"], "record_id_r": right_numbers["record_id"]})
    assert numbers.named(pairs, ["record_id_l", "record_id_r"]).rows() == [
        ("council_hub:B1|9", "police_crimes:C1|V1"), ("rj_cases:RJ1", "council_hub:B1|9")]
