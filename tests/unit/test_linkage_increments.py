"""Probabilistic linkage one build at a time (pipelines/linkage/increments.py): what a build scores
again, and which earlier pairs stand, on hand-made token records in an in-memory DuckDB."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.linkage import probabilistic
from pipelines.linkage.increments import STATE_SCHEMA, has_linkage_state, score
from tests.unit.test_linkage_probabilistic import person, strangers

LAST_BUILD, THIS_BUILD = 10, 20


def _connection(records: list[tuple[dict, int]], previous: list[tuple] | None) -> duckdb.DuckDBPyConnection:
    """`records`: (record, file_id). Every non-police record is one to link. `previous`: (record_id,
    matched_record_id, match_probability) rows as the last build left them."""
    con = duckdb.connect()
    frame = pl.DataFrame([record for record, _ in records], schema=probabilistic.TEXT_INPUT_SCHEMA).with_columns(
        file_id=pl.Series([file_id for _, file_id in records], dtype=pl.Int64))
    con.register("records_frame", frame)
    con.execute("create table records as select * from records_frame")
    con.execute("create view unlinked as select * from records where feed <> 'police_crimes'")
    if previous is not None:
        state = pl.DataFrame(previous, schema=probabilistic.OUTPUT_SCHEMA, orient="row").with_columns(
            as_of_file_id=pl.lit(LAST_BUILD, pl.Int64))
        con.register("previous_frame", state)
        con.execute("create table previous as select * from previous_frame")
    return con


def _score(con: duckdb.DuckDBPyConnection, previous: str | None) -> dict[str, set]:
    state = score(con, "records", "unlinked", previous, as_of_file_id=THIS_BUILD, candidate_count=60)
    assert state.schema == pl.Schema(STATE_SCHEMA)
    assert state["as_of_file_id"].unique().to_list() == [THIS_BUILD]
    links: dict[str, set] = {}
    for record_id, matched, probability in state.select("record_id", "matched_record_id", "match_probability").rows():
        links.setdefault(record_id, set()).add((matched, None if probability is None else round(probability, 4)))
    return links


def _matches(links: dict[str, set], record_id: str) -> set:
    return {matched for matched, _ in links[record_id]}


@pytest.fixture
def world() -> list[tuple[dict, int]]:
    """Police victims Ann (loaded earlier) and Bea (arrived this build); hub referral H1 is Bea and
    was scored last build with no match; H2 is Ann and was matched to her; H3 is Ann and new; H4
    was matched to a victim a re-delivery withdrew."""
    ann = dict(forename_token="fn-ann", forename_initial_token="fi-a")
    bea = dict(forename_token="fn-bea", forename_initial_token="fi-b", dob_token="dob-1985-06-02",
               dob_unordered_token="du-1985-06-02", birth_year=1985, postcode_token="pc-n1-9gu", postcode_district="N1")
    return [
        (person("police_crimes:C1|ann", **ann), 1),
        (person("police_crimes:C2|bea", **bea), THIS_BUILD - 1),
        (person("council_hub:H1", **bea), 2),
        (person("council_hub:H2", **ann), 2),
        (person("council_hub:H3", **ann), THIS_BUILD - 2),
        (person("council_hub:H4", forename_token="fn-cy", forename_initial_token="fi-c", surname_token="sn-cy",
                surname_soundex_token="sx-c000", dob_token="dob-1970-01-01", dob_unordered_token="du-1970-01-01",
                birth_year=1970, postcode_token="pc-cy", postcode_district="W9"), 3),
        *[(stranger, 1) for stranger in strangers(50)],
    ]


def test_a_first_build_scores_every_record_to_link_and_notes_those_without_a_match(world):
    links = _score(_connection(world, None), None)
    assert "police_crimes:C2|bea" in _matches(links, "council_hub:H1")
    assert "police_crimes:C1|ann" in _matches(links, "council_hub:H2")
    assert links["council_hub:H4"] == {(None, None)}


def test_a_later_build_scores_only_what_its_deliveries_could_change(world):
    previous = [("council_hub:H1", None, None),
                ("council_hub:H2", "police_crimes:C1|ann", 0.9123),
                ("council_hub:H2", "council_hub:H3", 0.8888),
                ("council_hub:H4", "police_crimes:C9|gone", 0.95)]
    links = _score(_connection(world, previous), "previous")
    # H1 was scored before; the victim who arrived since is compared with it
    assert "police_crimes:C2|bea" in _matches(links, "council_hub:H1")
    # H2's pair with Ann stands as it was scored (neither record changed): never scored again
    assert ("police_crimes:C1|ann", 0.9123) in links["council_hub:H2"]
    # ... while its pair with H3, which changed since, is scored anew
    assert ("council_hub:H3", 0.8888) not in links["council_hub:H2"]
    # H3 is new: compared with every candidate, Ann among them
    assert "police_crimes:C1|ann" in _matches(links, "council_hub:H3")
    # H4's match was withdrawn: no pair is left, and a row says it was scored
    assert links["council_hub:H4"] == {(None, None)}


def test_only_a_table_that_records_its_delivery_has_state_to_build_on():
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create table intermediate.with_state (record_id varchar, as_of_file_id bigint)")
    con.execute("create table intermediate.without_state (record_id varchar)")

    class Table:
        schema = "intermediate"

        def __init__(self, identifier):
            self.identifier = identifier

    assert has_linkage_state(con, Table("with_state"))
    assert not has_linkage_state(con, Table("without_state"))


def test_the_warehouse_connection_gets_its_memory_limit_back_after_splink(world):
    con = _connection(world, None)
    con.execute("set memory_limit = '700MB'")
    [(before,)] = con.execute("select current_setting('memory_limit')").fetchall()
    _score(con, None)
    assert con.execute("select current_setting('memory_limit')").fetchall() == [(before,)]
