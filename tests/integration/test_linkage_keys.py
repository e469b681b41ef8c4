"""A new month links against the people already known and renumbers no one: every record's victim_key
after the third month's build is the one it had after the second, and new records join existing keys."""
import pytest

from pipelines.benchmark import copy_files, files_by_month
from tests.integration.build_helpers import build, isolated_environment, query

KEYS = "select record_id, victim_key from intermediate.int_linkage__victim_keys"


@pytest.fixture
def generated(tmp_path_factory):
    from pipelines.synthetic import generate

    source = tmp_path_factory.mktemp("generated")
    generate(source / "landing", source / "ground_truth", start="2025-01", months=3, scale=0.02, seed=5)
    return source


def test_a_new_month_keeps_every_existing_victim_key(generated, tmp_path, monkeypatch):
    isolated_environment(monkeypatch, tmp_path)
    months = files_by_month(generated / "ground_truth")
    first_two, third = [name for month in list(months)[:2] for name in months[month]], months[list(months)[2]]
    copy_files(generated / "landing", first_two, tmp_path / "landing")
    build()
    db = tmp_path / "warehouse" / "mopac.duckdb"
    before = dict(query(db, KEYS))

    copy_files(generated / "landing", third, tmp_path / "landing")
    build()
    after = dict(query(db, KEYS))

    kept = {record: key for record, key in before.items() if record in after}
    assert len(kept) > 0.9 * len(before)
    assert {record: after[record] for record in kept} == kept
    new_records = set(after) - set(before)
    assert any(after[record] in set(before.values()) for record in new_records if not record.startswith("police_crimes:"))
