"""Publishing: marts only, atomically replaced, last good copy kept on failure, unchanged tables not rewritten."""
import json
import os
import subprocess
import sys

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


# --- Tables that did not change are not rewritten -------------------------------------------------

def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def set_marts(path, **tables):
    """Make the warehouse's marts hold exactly these tables (name=select), each created anew as dbt does."""
    con = duckdb.connect(str(path))
    con.execute("drop schema if exists marts cascade; create schema marts")
    for name, select in tables.items():
        con.execute(f"create table marts.{quoted(name)} as {select}")
    con.close()


def published_rows(published_dir, table):
    con = duckdb.connect(str(published_dir / PUBLISHED_DB_NAME), read_only=True)
    try:
        return con.execute(f"select * from marts.{quoted(table)} order by all").fetchall()
    finally:
        con.close()


def published_tables(published_dir):
    con = duckdb.connect(str(published_dir / PUBLISHED_DB_NAME), read_only=True)
    try:
        return {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()


def parquet_file(published_dir, build_id, table):
    return published_dir / "parquet_versions" / build_id / f"{table}.parquet"


def parquet_rows(path):
    return duckdb.connect().execute("select * from read_parquet(?) order by all", [str(path)]).fetchall()


def build_record(published_dir):
    return json.loads((published_dir / "parquet" / "BUILD.json").read_text())


TWO_TABLES = {"dim_area": "select * from (values (1, 'north'), (2, 'south')) v(id, name)",
              "metric_values": "select 1 as value"}


def test_the_first_publish_is_a_full_one_and_records_a_fingerprint_per_table(tmp_path):
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    result = publish(tmp_path / "wh.duckdb", tmp_path / "published")
    assert result.full_publish and "no published copy yet" in result.full_publish_reason
    assert result.written == ("dim_area", "metric_values") and result.reused == ()
    record = build_record(tmp_path / "published")
    assert record["tables"] == {"dim_area": 2, "metric_values": 1} == result.tables
    assert set(record["fingerprints"]) == {"dim_area", "metric_values"}


def test_an_unchanged_table_is_hard_linked_and_a_changed_one_rewritten(tmp_path):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    first = publish(tmp_path / "wh.duckdb", published)
    set_marts(tmp_path / "wh.duckdb", **{**TWO_TABLES, "metric_values": "select 2 as value"})
    second = publish(tmp_path / "wh.duckdb", published)

    assert not second.full_publish and second.written == ("metric_values",) and second.reused == ("dim_area",)
    assert second.tables == {"dim_area": 2, "metric_values": 1}
    assert (parquet_file(published, second.build_id, "dim_area").stat().st_ino
            == parquet_file(published, first.build_id, "dim_area").stat().st_ino)
    assert (parquet_file(published, second.build_id, "metric_values").stat().st_ino
            != parquet_file(published, first.build_id, "metric_values").stat().st_ino)
    assert parquet_rows(published / "parquet" / "metric_values.parquet") == [(2,)]
    assert published_rows(published, "metric_values") == [(2,)]
    assert published_rows(published, "dim_area") == [(1, "north"), (2, "south")]


def test_a_table_added_to_marts_appears_and_one_dropped_disappears_from_both_copies(tmp_path):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    publish(tmp_path / "wh.duckdb", published)
    set_marts(tmp_path / "wh.duckdb", metric_values=TWO_TABLES["metric_values"], fct_new="select 'x' as code")
    result = publish(tmp_path / "wh.duckdb", published)

    assert result.written == ("fct_new",) and result.reused == ("metric_values",)
    assert published_tables(published) == {"fct_new", "metric_values"}
    assert sorted(p.name for p in (published / "parquet").iterdir()) == ["BUILD.json", "fct_new.parquet",
                                                                         "metric_values.parquet"]
    assert set(build_record(published)["fingerprints"]) == {"fct_new", "metric_values"}


ROWS = "select * from (values (1, 'a', 10), (2, 'b', 20), (3, 'c', NULL)) v(id, t, amount)"
ROWS_WITH_A_DUPLICATE = f"select * from ({ROWS}) union all select * from ({ROWS}) where id = 3"


@pytest.mark.parametrize("changed, before, after", [
    ("one value", ROWS, f"select id, t, if(id = 2, 21, amount) as amount from ({ROWS})"),
    ("a value to NULL", ROWS, f"select id, t, if(id = 2, NULL, amount) as amount from ({ROWS})"),
    ("a NULL to a value", ROWS, f"select id, t, coalesce(amount, 0) as amount from ({ROWS})"),
    ("two values swapped between rows", ROWS,
     f"select id, t, case id when 1 then 20 when 2 then 10 end as amount from ({ROWS})"),
    ("a row duplicated", ROWS, ROWS_WITH_A_DUPLICATE),
    ("a row replaced by a duplicate of another", ROWS,
     f"select * from ({ROWS}) where id <> 3 union all select * from ({ROWS}) where id = 2"),
    # row count and bit_xor of row hashes are both blind to this one: a sum is not
    ("a pair of duplicates replaced by another", ROWS_WITH_A_DUPLICATE,
     f"select * from ({ROWS}) where id <> 3 union all select * from ({ROWS}) where id = 2 "
     f"union all select * from ({ROWS}) where id = 2"),
    ("a column renamed", ROWS, f"select id, t, amount as total from ({ROWS})"),
    ("a column's type", ROWS, f"select id, t, amount::bigint as amount from ({ROWS})"),
])
def test_any_change_to_a_table_changes_its_fingerprint(tmp_path, changed, before, after):
    set_marts(tmp_path / "wh.duckdb", fct=before)
    publish(tmp_path / "wh.duckdb", tmp_path / "published")
    set_marts(tmp_path / "wh.duckdb", fct=after)
    result = publish(tmp_path / "wh.duckdb", tmp_path / "published")
    assert result.written == ("fct",), f"{changed} went unnoticed"


def test_a_table_rebuilt_with_the_same_rows_in_another_order_is_unchanged(tmp_path):
    set_marts(tmp_path / "wh.duckdb", fct=ROWS)
    publish(tmp_path / "wh.duckdb", tmp_path / "published")
    set_marts(tmp_path / "wh.duckdb", fct=f"select * from ({ROWS}) order by id desc")
    assert publish(tmp_path / "wh.duckdb", tmp_path / "published").reused == ("fct",)


def test_an_open_reader_keeps_the_previous_build_while_an_incremental_publish_swaps_in(tmp_path):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    publish(tmp_path / "wh.duckdb", published)
    reader = duckdb.connect(str(published / PUBLISHED_DB_NAME), read_only=True)
    set_marts(tmp_path / "wh.duckdb", **{**TWO_TABLES, "metric_values": "select 2 as value"})
    assert not publish(tmp_path / "wh.duckdb", published).full_publish
    assert reader.execute("select value from marts.metric_values").fetchone() == (1,)
    assert reader.execute("select count(*) from marts.dim_area").fetchone() == (2,)
    reader.close()
    assert published_rows(published, "metric_values") == [(2,)]


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
sys.stdin.readline()
print(con.execute("select value from marts.metric_values").fetchone()[0], flush=True)
"""


def test_a_reader_in_another_process_does_not_block_a_publish_and_keeps_its_build(tmp_path):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    publish(tmp_path / "wh.duckdb", published)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published / PUBLISHED_DB_NAME)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline() == "open\n"
        set_marts(tmp_path / "wh.duckdb", **{**TWO_TABLES, "metric_values": "select 2 as value"})
        assert publish(tmp_path / "wh.duckdb", published).written == ("metric_values",)
        assert reader.communicate("go\n", timeout=60)[0] == "1\n"
    finally:
        reader.kill()
    assert published_rows(published, "metric_values") == [(2,)]


def failing_link(*args, **kwargs):
    raise OSError("disk full")


def failing_stray_check(con):
    raise PublishError("simulated failure after every table was written")


@pytest.mark.parametrize("step, failure", [("os.link", failing_link),
                                           ("_refuse_stray_schemas", failing_stray_check)])
def test_a_failure_mid_publish_leaves_the_previous_build_and_no_temporary_files(tmp_path, monkeypatch, step, failure):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    first = publish(tmp_path / "wh.duckdb", published)
    before = sorted(p.relative_to(published) for p in published.rglob("*"))
    set_marts(tmp_path / "wh.duckdb", **{**TWO_TABLES, "metric_values": "select 2 as value"})
    monkeypatch.setattr(f"pipelines.publish.{step}", failure)
    with pytest.raises((OSError, PublishError)):
        publish(tmp_path / "wh.duckdb", published)

    assert sorted(p.relative_to(published) for p in published.rglob("*")) == before
    assert published_rows(published, "metric_values") == [(1,)]
    assert (published / "parquet").resolve().name == first.build_id
    monkeypatch.undo()
    assert publish(tmp_path / "wh.duckdb", published).written == ("metric_values",)


def test_paths_and_table_names_with_quotes_and_spaces_are_taken_literally(tmp_path):
    root = tmp_path / "O'Brien's files"
    root.mkdir()
    warehouse = root / "ware house's.duckdb"
    published = root / "pub'lished dir"
    set_marts(warehouse, **{'odd "name" it\'s': "select 1 as value", "metric_values": "select 1 as value"})
    first = publish(warehouse, published)
    set_marts(warehouse, **{'odd "name" it\'s': "select 1 as value", "metric_values": "select 2 as value"})
    second = publish(warehouse, published)
    assert first.full_publish and second.reused == ('odd "name" it\'s',)
    assert published_rows(published, 'odd "name" it\'s') == [(1,)]
    assert parquet_rows(published / "parquet" / 'odd "name" it\'s.parquet') == [(1,)]
    assert parquet_rows(published / "parquet" / "metric_values.parquet") == [(2,)]


def break_build_record(published):
    (published / "parquet" / "BUILD.json").write_text("{not json")


def remove_build_record(published):
    (published / "parquet" / "BUILD.json").unlink()


def write_build_record_without_fingerprints(published):
    (published / "parquet" / "BUILD.json").write_text(json.dumps({"build_id": "x", "tables": {"fct": 3}}))


def record_another_duckdb_version(published):
    record = build_record(published)
    (published / "parquet" / "BUILD.json").write_text(json.dumps({**record, "duckdb_version": "1.4.0"}))


def corrupt_database_in_place(published):
    """Damage the file's header but keep its inode, size and modification time: only opening it tells."""
    database = published / PUBLISHED_DB_NAME
    stat = database.stat()
    with open(database, "r+b") as file:
        file.write(b"\0" * 16384)
    os.utime(database, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def replace_database_with_a_stale_one(published):
    stale = published.parent / "stale.duckdb"
    duckdb.connect(str(stale)).execute("create schema marts; create table marts.fct as select 0 as id").close()
    os.replace(stale, published / PUBLISHED_DB_NAME)


def remove_a_parquet_file(published):
    (published / "parquet" / "fct.parquet").unlink()


@pytest.mark.parametrize("damage, reason", [
    (break_build_record, "BUILD.json is missing, unreadable"),
    (remove_build_record, "BUILD.json is missing, unreadable"),
    (write_build_record_without_fingerprints, "has no fingerprints"),
    (record_another_duckdb_version, "fingerprinted by DuckDB 1.4.0"),
    (corrupt_database_in_place, "cannot be opened"),
    (replace_database_with_a_stale_one, "not the file its BUILD.json describes"),
    (remove_a_parquet_file, "Parquet set lacks ['fct']"),
])
def test_a_previous_build_that_cannot_be_trusted_leads_to_a_full_publish(tmp_path, damage, reason):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", fct=ROWS)
    publish(tmp_path / "wh.duckdb", published)
    damage(published)
    result = publish(tmp_path / "wh.duckdb", published)
    assert result.full_publish and reason in result.full_publish_reason
    assert result.written == ("fct",) and result.reused == ()
    assert published_rows(published, "fct") == [(1, "a", 10), (2, "b", 20), (3, "c", None)]
    assert len(parquet_rows(published / "parquet" / "fct.parquet")) == 3
    assert not list(published.glob(".*duckdb*"))


def test_a_crash_between_the_two_swaps_does_not_let_a_stale_table_pass_as_unchanged(tmp_path, monkeypatch):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", fct="select 1 as value")
    publish(tmp_path / "wh.duckdb", published)
    set_marts(tmp_path / "wh.duckdb", fct="select 2 as value")
    real_replace = os.replace

    def crash_at_the_pointer_swap(source, target):
        if str(target).endswith("parquet"):
            raise OSError("simulated crash between the two swaps")
        real_replace(source, target)

    monkeypatch.setattr("pipelines.publish.os.replace", crash_at_the_pointer_swap)
    with pytest.raises(OSError, match="simulated crash"):
        publish(tmp_path / "wh.duckdb", published)
    monkeypatch.undo()
    # the database now holds 2 while BUILD.json still describes 1; the warehouse goes back to 1.
    # The next publish first finishes the interrupted swap (BUILD.json then describes 2), so 1 is
    # seen as a change and written.
    set_marts(tmp_path / "wh.duckdb", fct="select 1 as value")
    result = publish(tmp_path / "wh.duckdb", published)
    assert result.written == ("fct",) and published_rows(published, "fct") == [(1,)]
    assert parquet_rows(published / "parquet" / "fct.parquet") == [(1,)]


def test_a_table_changed_on_every_build_does_not_grow_the_database(tmp_path):
    published = tmp_path / "published"
    sizes = []
    for build in range(3):
        set_marts(tmp_path / "wh.duckdb", fct=f"select i, md5((i + {build})::varchar) as h from range(300000) r(i)")
        publish(tmp_path / "wh.duckdb", published)
        sizes.append((published / PUBLISHED_DB_NAME).stat().st_size)
    assert max(sizes) < 1.5 * sizes[0], sizes


def test_old_parquet_versions_are_pruned_and_hard_linked_files_outlive_them(tmp_path):
    published = tmp_path / "published"
    set_marts(tmp_path / "wh.duckdb", **TWO_TABLES)
    builds = [publish(tmp_path / "wh.duckdb", published).build_id for _ in range(3)]
    assert sorted(p.name for p in (published / "parquet_versions").iterdir()) == builds[1:]
    assert parquet_rows(published / "parquet" / "dim_area.parquet") == [(1, "north"), (2, "south")]
