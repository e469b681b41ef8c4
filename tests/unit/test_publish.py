"""Publishing: marts only, atomically replaced, last good copy kept on failure."""
import duckdb
import pytest

from pipelines.publish import PUBLISHED_DB_NAME, PublishError, publish


def make_warehouse(path, value):
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema raw; create schema ops")
    con.execute(f"create table marts.metric_values as select {value} as value")
    con.execute("create table raw.police_crimes as select 'secret' as victim_ref_token")
    con.execute("create table ops.file_registry as select 1 as file_id")
    con.close()


def test_the_published_copy_holds_the_marts_schema_only(tmp_path):
    make_warehouse(tmp_path / "wh.duckdb", 1)
    result = publish(tmp_path / "wh.duckdb", tmp_path / "published")
    con = duckdb.connect(str(result.database), read_only=True)
    schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"marts"} and result.tables == {"metric_values": 1}
    assert (tmp_path / "published" / "parquet" / "metric_values.parquet").exists()
    assert not (tmp_path / "published" / "parquet" / "police_crimes.parquet").exists()


def test_a_new_build_swaps_both_copies_and_an_open_reader_keeps_its_snapshot(tmp_path):
    make_warehouse(tmp_path / "wh.duckdb", 1)
    publish(tmp_path / "wh.duckdb", tmp_path / "published")
    reader = duckdb.connect(str(tmp_path / "published" / PUBLISHED_DB_NAME), read_only=True)
    (tmp_path / "wh.duckdb").unlink()
    make_warehouse(tmp_path / "wh.duckdb", 2)
    publish(tmp_path / "wh.duckdb", tmp_path / "published")
    assert reader.execute("select value from marts.metric_values").fetchone() == (1,)
    reader.close()  # DuckDB shares one instance per path within a process; new readers come after
    fresh = duckdb.connect(str(tmp_path / "published" / PUBLISHED_DB_NAME), read_only=True)
    assert fresh.execute("select value from marts.metric_values").fetchone() == (2,)
    parquet = tmp_path / "published" / "parquet" / "metric_values.parquet"
    assert duckdb.connect().execute(f"select value from '{parquet}'").fetchone() == (2,)
    assert (tmp_path / "published" / "parquet").is_symlink()


def test_a_failed_publish_leaves_the_last_good_copy(tmp_path):
    make_warehouse(tmp_path / "wh.duckdb", 1)
    first = publish(tmp_path / "wh.duckdb", tmp_path / "published")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PublishError, match="has no marts tables"):
        publish(empty, tmp_path / "published")
    con = duckdb.connect(str(first.database), read_only=True)
    assert con.execute("select value from marts.metric_values").fetchone() == (1,)
    assert (tmp_path / "published" / "parquet").resolve().name == first.build_id
    assert not list((tmp_path / "published").glob(".*duckdb*"))
