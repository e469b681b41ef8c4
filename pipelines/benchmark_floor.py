"""The practical floor of a build: DuckDB loading the same landing files straight into tables, nothing
else (no validation, tokens, registry, dbt or publish). `mopac benchmark` runs it in a fresh process:

    python -m pipelines.benchmark_floor SPEC.json RESULT.json

SPEC lists {"feed", "format", "path"} for each file and the DuckDB file to load into. Each file becomes
its own table (files of one feed may differ in columns or encoding): CSV through `read_csv`, JSON Lines
through `read_json`, XLSX through fastexcel (calamine) into Arrow and DuckDB. RESULT holds the seconds
and rows per feed, the loading seconds and the process's peak resident memory. Only the standard
library is imported before timing starts; DuckDB's import counts as start-up.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# When DuckDB's defaults refuse a file, the next options are tried (a Windows-1252 CSV, a malformed row).
CSV_ATTEMPTS = ("", ", encoding = 'latin-1'", ", encoding = 'latin-1', strict_mode = false, null_padding = true, "
                                              "ignore_errors = true")
JSON_FORMATS = {"jsonl", "ndjson", "json"}


def _load_csv(con, table: str, path: str) -> str:
    for n, options in enumerate(CSV_ATTEMPTS):
        try:
            con.execute(f'create or replace table "{table}" as select * from read_csv(?{options})', [path])
            return options.strip(", ") or "defaults"
        except Exception:
            if n == len(CSV_ATTEMPTS) - 1:
                raise
    raise AssertionError("unreachable")


def _load_json(con, table: str, path: str) -> str:
    try:
        con.execute(f"create or replace table \"{table}\" as select * from read_json(?, format = 'newline_delimited')",
                    [path])
        return "defaults"
    except Exception:
        con.execute(f"create or replace table \"{table}\" as select * from read_json(?, format = 'newline_delimited', "
                    "ignore_errors = true)", [path])
        return "ignore_errors"


def _load_xlsx(con, table: str, path: str, sheet: str | None) -> str:
    import fastexcel
    import pyarrow as pa

    reader = fastexcel.read_excel(path)
    name = sheet if sheet in reader.sheet_names else reader.sheet_names[0]
    con.register("xlsx_sheet", pa.Table.from_batches([reader.load_sheet(name).to_arrow()]))
    try:
        con.execute(f'create or replace table "{table}" as select * from xlsx_sheet')
    finally:
        con.unregister("xlsx_sheet")
    return f"sheet {name}"


def load(spec: dict) -> dict:
    """Load every file of `spec` into its own table; seconds and rows per feed."""
    import duckdb

    feeds: dict[str, dict] = {}
    con = duckdb.connect(spec["database"])
    began = time.perf_counter()
    try:
        for n, item in enumerate(spec["files"]):
            feed, fmt, path = item["feed"], item["format"].lower(), item["path"]
            table = f"{feed}_{n}"
            started = time.perf_counter()
            if fmt == "csv":
                how = _load_csv(con, table, path)
            elif fmt in JSON_FORMATS:
                how = _load_json(con, table, path)
            elif fmt == "xlsx":
                how = _load_xlsx(con, table, path, item.get("sheet"))
            else:
                raise ValueError(f"{feed}: no floor loader for format {fmt!r}")
            con.execute("checkpoint")
            seconds = time.perf_counter() - started
            rows = con.execute(f'select count(*) from "{table}"').fetchall()[0][0]
            entry = feeds.setdefault(feed, {"files": 0, "rows": 0, "seconds": 0.0, "loaded_with": {}})
            entry["files"] += 1
            entry["rows"] += rows
            entry["seconds"] += seconds
            entry["loaded_with"][how] = entry["loaded_with"].get(how, 0) + 1
    finally:
        con.close()
    return {"feeds": feeds, "load_seconds": time.perf_counter() - began,
            # ru_maxrss is in KiB on Linux
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> None:
    spec_path, result_path = (argv or sys.argv[1:])[:2]
    result = load(json.loads(Path(spec_path).read_text()))
    Path(result_path).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
