"""The practical floor of a build: DuckDB loading the same landing files straight into tables, nothing
else (no validation, tokens, registry, dbt or publish). `mopac benchmark` runs it in a fresh process:

    python -m pipelines.benchmark_floor SPEC.json RESULT.json

SPEC lists {"feed", "format", "path"} for each file and the DuckDB file to load into. Each file becomes
its own table (files of one feed may differ in columns or encoding): CSV through `read_csv`, JSON Lines
through `read_json`, XLSX through fastexcel (calamine) into Arrow and DuckDB. RESULT holds the seconds
and rows per feed, the loading seconds and the process's peak resident memory (VmHWM). Only the standard
library is imported before timing starts; DuckDB's import counts as start-up.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# Every CSV column is read as text, as the build's reader does (a defective date must not fail the
# load). When DuckDB refuses a file, the next options are tried (a malformed row, Windows-1252); the
# result says which were needed.
CSV_ATTEMPTS = ("all_varchar = true",
                "all_varchar = true, strict_mode = false, null_padding = true",
                "all_varchar = true, strict_mode = false, null_padding = true, encoding = 'latin-1'",
                "all_varchar = true, strict_mode = false, null_padding = true, encoding = 'latin-1', ignore_errors = true")
JSON_FORMATS = {"jsonl", "ndjson", "json"}


class FloorError(RuntimeError):
    """A file the floor could not load; the message names the file, never its contents."""


def _load_csv(con, table: str, path: str) -> str:
    for options in CSV_ATTEMPTS:
        try:
            con.execute(f'create or replace table "{table}" as select * from read_csv(?, {options})', [path])
            return options
        except Exception:  # a parser's message quotes the row: never passed on
            continue
    return _load_windows_1252_csv(con, table, path)


def _load_windows_1252_csv(con, table: str, path: str) -> str:
    """DuckDB's built-in encodings stop at latin-1, which refuses the 0x80-0x9F range where Windows-1252
    keeps curly quotes and dashes: transcode to UTF-8 beside the file (timed with the load), then read."""
    transcoded = Path(path).with_suffix(".utf8.csv")
    transcoded.write_text(Path(path).read_bytes().decode("cp1252", errors="replace"), encoding="utf-8")
    try:
        for options in CSV_ATTEMPTS[:2]:
            try:
                con.execute(f'create or replace table "{table}" as select * from read_csv(?, {options})',
                            [str(transcoded)])
                return f"transcoded from Windows-1252, {options}"
            except Exception:  # a parser's message quotes the row: never passed on
                continue
    finally:
        transcoded.unlink(missing_ok=True)
    raise FloorError(f"{path}: DuckDB could not load it with any of {CSV_ATTEMPTS}, nor transcoded from "
                     "Windows-1252")


def _load_json(con, table: str, path: str) -> str:
    for options in ("format = 'newline_delimited'", "format = 'newline_delimited', ignore_errors = true"):
        try:
            con.execute(f'create or replace table "{table}" as select * from read_json(?, {options})', [path])
            return options
        except Exception:  # a parser's message quotes the row: never passed on
            continue
    raise FloorError(f"{path}: DuckDB could not load it as JSON Lines")


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
    return {"feeds": feeds, "load_seconds": time.perf_counter() - began, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program: VmHWM. (ru_maxrss would also
    count the parent's pages this process had between fork and exec.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> None:
    spec_path, result_path = (argv or sys.argv[1:])[:2]
    result = load(json.loads(Path(spec_path).read_text()))
    Path(result_path).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
