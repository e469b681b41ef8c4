"""Victim keys from links: anchors, groups, ties and the first-loaded record (pipelines/linkage/victim_keys.py)."""
import polars as pl

from pipelines.linkage.victim_keys import assign

RECORD_COLUMNS = ["record_id", "feed", "victim_ref_token", "file_id", "source_row_number"]


def _records(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(zip(RECORD_COLUMNS, [pl.String, pl.String, pl.String, pl.Int64, pl.Int64])), orient="row")


def _reference_links(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={"record_id": pl.String, "link_method": pl.String, "linked_record_id": pl.String}, orient="row")


def _probabilistic_links(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={"record_id": pl.String, "matched_record_id": pl.String, "match_probability": pl.Float64}, orient="row")


def _keys(assigned: pl.DataFrame) -> dict[str, tuple]:
    return {row["record_id"]: (row["police_victim_key"], row["key_record_id"], row["link_method"])
            for row in assigned.iter_rows(named=True)}


def _unresolved(assigned: pl.DataFrame) -> dict[str, str]:
    return dict(assigned.filter(pl.col("unresolved").is_not_null()).select("record_id", "unresolved").rows())


POLICE = [("police_crimes:1|a", "police_crimes", "a", 1, 1), ("police_crimes:2|a", "police_crimes", "a", 1, 2),
          ("police_crimes:3|b", "police_crimes", "b", 1, 3)]


def test_police_victims_keep_their_token_and_references_lead_to_them():
    records = _records(*POLICE, ("council_hub:H1", "council_hub", None, 5, 1),
                       ("probation_vcs:V1", "probation_vcs", None, 6, 1), ("rj_cases:R1", "rj_cases", None, 7, 1))
    links = _reference_links(("council_hub:H1", "crime_ref", "police_crimes:3|b"),
                             ("probation_vcs:V1", "urn", "police_crimes:2|a"),
                             ("rj_cases:R1", "crn", "probation_vcs:V1"))
    assigned = assign(records, links, _probabilistic_links())
    keys = _keys(assigned)
    assert _unresolved(assigned) == {}
    assert keys["police_crimes:1|a"] == ("a", None, "victim_ref")
    assert keys["police_crimes:2|a"] == ("a", None, "victim_ref")
    assert keys["council_hub:H1"] == ("b", None, "crime_ref")
    assert keys["probation_vcs:V1"] == ("a", None, "urn")
    # the RJ case reaches police victim a through the offender's VCS case
    assert keys["rj_cases:R1"] == ("a", None, "crn")


def test_the_most_probable_victim_wins_and_a_tie_links_to_no_one():
    records = _records(*POLICE, ("council_hub:H1", "council_hub", None, 5, 1), ("council_hub:H2", "council_hub", None, 5, 2))
    probable = _probabilistic_links(("council_hub:H1", "police_crimes:1|a", 0.97), ("council_hub:H1", "police_crimes:3|b", 0.999),
                                    ("council_hub:H2", "police_crimes:1|a", 0.99), ("council_hub:H2", "police_crimes:3|b", 0.99))
    assigned = assign(records, _reference_links(), probable)
    keys = _keys(assigned)
    assert keys["council_hub:H1"] == ("b", None, "probabilistic")
    assert keys["council_hub:H2"] == (None, "council_hub:H2", "none")
    assert _unresolved(assigned) == {"council_hub:H2": "tied_between_victims"}


def test_a_record_scored_without_a_match_is_linked_to_no_one():
    records = _records(*POLICE, ("council_hub:H1", "council_hub", None, 5, 1))
    assigned = assign(records, _reference_links(), _probabilistic_links(("council_hub:H1", None, None)))
    assert _keys(assigned)["council_hub:H1"] == (None, "council_hub:H1", "none")


def test_a_reference_link_outranks_a_more_probable_match():
    records = _records(*POLICE, ("council_hub:H1", "council_hub", None, 5, 1))
    keys = _keys(assign(records, _reference_links(("council_hub:H1", "crime_ref", "police_crimes:1|a")),
                        _probabilistic_links(("council_hub:H1", "police_crimes:3|b", 0.9999))))
    assert keys["council_hub:H1"] == ("a", None, "crime_ref")


def test_people_known_only_outside_the_police_share_the_first_loaded_records_key():
    records = _records(*POLICE, ("rj_cases:R9", "rj_cases", None, 9, 4), ("council_hub:H7", "council_hub", None, 8, 2),
                       ("probation_vcs:V3", "probation_vcs", None, 9, 1), ("council_hub:H8", "council_hub", None, 8, 3),
                       ("uss_responses:S1", "uss_responses", "s", 4, 1))
    # a chain R9 - H7 - V3; H8 alone; S1 names a victim the police data does not hold
    probable = _probabilistic_links(("rj_cases:R9", "council_hub:H7", 0.99), ("probation_vcs:V3", "council_hub:H7", 0.995))
    keys = _keys(assign(records, _reference_links(), probable))
    assert keys["rj_cases:R9"] == keys["probation_vcs:V3"] == keys["council_hub:H7"] == (None, "council_hub:H7", "probabilistic")
    assert keys["council_hub:H8"] == (None, "council_hub:H8", "none")
    assert keys["uss_responses:S1"] == ("s", None, "none")


def test_a_group_linked_to_two_police_victims_takes_neither():
    records = _records(*POLICE, ("council_hub:H1", "council_hub", None, 5, 1), ("rj_cases:R1", "rj_cases", None, 7, 1),
                       ("rj_cases:R2", "rj_cases", None, 7, 2))
    links = _reference_links(("council_hub:H1", "crime_ref", "police_crimes:1|a"), ("rj_cases:R2", "crime_ref", "police_crimes:3|b"))
    probable = _probabilistic_links(("rj_cases:R1", "council_hub:H1", 0.99), ("rj_cases:R1", "rj_cases:R2", 0.99))
    assigned = assign(records, links, probable)
    keys = _keys(assigned)
    assert keys["rj_cases:R1"] == (None, "rj_cases:R1", "probabilistic")
    assert keys["council_hub:H1"][0] == "a" and keys["rj_cases:R2"][0] == "b"
    assert _unresolved(assigned) == {"rj_cases:R1": "linked_to_several_victims"}
