"""The blocking checks on ops/file_registry fail when they should (a check that cannot fail is a defect)."""
import duckdb
import pytest

from pipelines.defs.ingest import every_row_accounted_for, quarantine_holds_no_personal_data
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest.landing import list_landing_files
from pipelines.ingest.pipeline import ingest_feed
from schemas.contract import load_contracts
from tests.conftest import write_police_file


@pytest.fixture
def warehouse(tmp_path, monkeypatch, numbered_rows):
    monkeypatch.setenv("MOPAC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    rows = numbered_rows(5)
    rows[0]["borough"] = "Atlantis"
    rows[1]["victim_postcode"] = "NOT A POSTCODE"
    write_police_file(tmp_path / "landing" / "police_crimes" / "met_crimes_2025-04.csv", rows)
    resource = WarehouseResource()
    with resource.connect() as con:
        ingest_feed(con, load_contracts()["police_crimes"], list_landing_files(tmp_path / "landing"),
                    pseudonym_key="k", max_row_failure_share=0.5)
    return resource


def tamper(resource, sql):
    con = duckdb.connect(str(resource.settings.warehouse_db))
    con.execute(sql)
    con.close()


def test_both_checks_pass_on_an_honest_load(warehouse):
    assert every_row_accounted_for(warehouse=warehouse).passed
    assert quarantine_holds_no_personal_data(warehouse=warehouse).passed


def test_a_registry_that_loses_rows_fails_the_balance_check(warehouse):
    tamper(warehouse, "update ops.file_registry set rows_loaded = rows_loaded - 1")
    result = every_row_accounted_for(warehouse=warehouse)
    assert not result.passed and result.metadata["unbalanced_files"].value == ["met_crimes_2025-04.csv"]


def test_a_quarantine_row_without_its_count_fails_the_balance_check(warehouse):
    tamper(warehouse, "delete from ops.quarantine where severity = 'row'")
    assert not every_row_accounted_for(warehouse=warehouse).passed


def test_a_clear_personal_value_in_the_quarantine_fails_the_privacy_check(warehouse):
    tamper(warehouse, "update ops.quarantine set value = 'NOT A POSTCODE' where column_name = 'victim_postcode'")
    result = quarantine_holds_no_personal_data(warehouse=warehouse)
    assert not result.passed and result.metadata["unredacted_values"].value == 1
