import re

import pytest

from schemas import dbt_sources
from schemas.contract import ContractError, load_contracts, parse_contract


def test_police_crimes_contract_has_the_spec_key_and_required_columns():
    contract = load_contracts()["police_crimes"]
    assert contract.key == ("crime_ref", "victim_ref")
    assert contract.delivery == "period"
    assert set(contract.required_columns) == {"crime_ref", "victim_ref", "report_date", "offence_group",
                                              "offence_subgroup", "hate_crime", "domestic_abuse", "borough",
                                              "enhanced_rights"}
    pii = {c.name: c.pii for c in contract.columns if c.is_pii}
    assert pii == {"victim_ref": "identifier", "victim_forename": "name", "victim_surname": "name",
                   "victim_dob": "date_of_birth", "victim_postcode": "postcode", "victim_phone": "contact",
                   "victim_email": "contact"}


def test_generated_dbt_sources_are_up_to_date_with_the_contracts():
    assert dbt_sources.main(["--check"]) == 0, "run: python -m schemas.dbt_sources"


def _minimal(**column):
    return {"feed": "x", "title": "t", "sender": "s", "description": "d", "delivery": "period", "format": "csv",
            "file_pattern": r"^x_(?P<period>\d{4}-\d{2})\.csv$", "date_format": "%Y-%m-%d", "key": ["a"],
            "columns": [{"name": "a", "type": "string", "description": "a"}, column]}


@pytest.mark.parametrize("column, message", [
    ({"name": "b", "type": "decimal", "description": "b"}, "type 'decimal'"),
    ({"name": "b", "type": "string", "format": "nhs", "description": "b"}, "format 'nhs'"),
    ({"name": "b", "type": "string", "pii": "secret", "description": "b"}, "pii 'secret'"),
    ({"name": "b", "type": "string", "description": ""}, "needs a description"),
    ({"name": "b", "type": "date", "not_before": "c", "description": "b"}, "neither a column nor a date"),
    ({"name": "b", "type": "string", "colour": "red", "description": "b"}, "unknown fields ['colour']"),
    ({"name": "b", "type": "string", "pii": "postcode", "reduced_tokens": ["soundex"], "description": "b"},
     "do not apply to pii 'postcode'"),
])
def test_malformed_contracts_are_refused_with_the_column_named(column, message):
    with pytest.raises(ContractError, match=re.escape(message)) as error:
        parse_contract(_minimal(**column))
    assert "column b" in str(error.value) or "bound" in str(error.value)


def test_a_minimal_contract_is_accepted():
    assert parse_contract(_minimal(name="b", type="string", description="b")).feed == "x"


@pytest.mark.parametrize("delivery, pattern", [
    ("period", r"^x\.csv$"),                                             # no period part
    ("period", r"^x_(?P<snapshot>\d{4}-\d{2}-\d{2})\.csv$"),             # a snapshot date in a period feed
    ("snapshot", r"^x_(?P<period>\d{4}-\d{2})\.csv$"),                   # a month in a snapshot feed
])
def test_a_file_pattern_must_name_the_date_part_its_delivery_needs(delivery, pattern):
    with pytest.raises(ContractError, match="file_pattern must name its date part"):
        parse_contract({**_minimal(name="b", type="string", description="b"), "delivery": delivery,
                        "file_pattern": pattern})


def test_column_names_must_be_plain_identifiers():
    with pytest.raises(ContractError, match="column b-c: a column name must be lower case"):
        parse_contract(_minimal(name="b-c", type="string", description="b"))


def test_every_feed_of_the_spec_has_a_contract():
    assert set(load_contracts()) == {"police_crimes", "police_outcomes", "uss_responses", "court_hearings",
                                     "probation_vcs", "council_hub", "rj_cases", "police_uk", "mps_recorded_crime"}
