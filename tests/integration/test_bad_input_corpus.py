"""Bad input, nothing lost: a corpus of careless deliveries on every format (CSV, Windows-1252 CSV,
JSON Lines, XLSX, the real public files), all landed together. Each ends in its stated status with a
reason naming file, row, column, what was expected and what the sender should do; none stops the
others loading; rows received = rows loaded + rows quarantined for every loaded file."""
from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest.landing import list_landing_files
from pipelines.ingest.pipeline import ingest_feed, register_unknown_files
from pipelines.synthetic import DefectRates, generate
from schemas.contract import load_contracts
from tests.conftest import POLICE_COLUMNS, police_row

OPEN = Path(__file__).resolve().parents[3] / "shared" / "data" / "open"


@dataclass(frozen=True)
class Case:
    relative: str  # <feed>/<file name> as landed
    make: Callable[[Path], bytes]  # from the clean world's folder, the delivered bytes
    status: str
    reason: str | None = None  # part of the registry reason (file level)
    findings: frozenset = field(default_factory=frozenset)  # (row, column as delivered, check) among the file's
    landed_second: bool = False  # arrives after the first ingest (a late delivery)


# --- builders -------------------------------------------------------------------------------------

def police(month: str, rows: int = 10, *, edit: Callable[[list[dict]], None] = lambda r: None,
           columns: list[str] = POLICE_COLUMNS, encoding: str = "utf-8") -> Callable[[Path], bytes]:
    def make(_: Path) -> bytes:
        dates = {"report_date": f"{month}-04", "offence_date": f"{month}-01", "needs_assessment_date": f"{month}-05",
                 "support_referral_date": f"{month}-08", "rj_info_date": f"{month}-09"}
        yy, mm = month[2:4], month[5:7]  # keys unique to the month: a key current elsewhere is a conflict
        data = [police_row(crime_ref=f"4{mm}{i:04d}/{yy}", victim_ref=f"V{yy}{mm}{i:04d}", **dates)
                for i in range(1, rows + 1)]
        edit(data)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        return out.getvalue().encode(encoding)
    return make


def text_edit(make: Callable[[Path], bytes], change: Callable[[str], str]) -> Callable[[Path], bytes]:
    return lambda world: change(make(world).decode()).encode()


def court(month: str, change: Callable[[list[str]], list[str]] = lambda lines: lines,
          encoding: str = "cp1252") -> Callable[[Path], bytes]:
    """The clean world's January hearings moved to `month` (dd/mm/yyyy), with a curly apostrophe."""
    def make(world: Path) -> bytes:
        lines = (world / "court_hearings" / "hmcts_hearings_2025-01.csv").read_text(encoding="utf-8").splitlines()[:12]
        year, mm = month.split("-")
        lines = [lines[0]] + [f"H{mm}{line[3:]}".replace("/01/2025", f"/{mm}/{year}") for line in lines[1:]]
        lines[1] = lines[1].replace("Crown Court,", "Crown Court\u2019s,", 1) if "Crown Court," in lines[1] else lines[1]
        return ("\n".join(change(lines)) + "\n").encode(encoding)
    return make


def vcs(change: Callable[[list[str]], list[str]] = lambda lines: lines, *, end: str = "\n") -> Callable[[Path], bytes]:
    def make(world: Path) -> bytes:
        lines = next((world / "probation_vcs").glob("*.jsonl")).read_text().splitlines()[:10]
        return ("\n".join(change(lines)) + end).encode()
    return make


def hub(change: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f, *, month: str = "2023-01",
        sheet: str = "Referrals", blank_rows: int = 0) -> Callable[[Path], bytes]:
    def make(world: Path) -> bytes:
        source = max((world / "council_hub").glob("*.xlsx"), key=lambda p: p.stat().st_size)
        frame = pl.read_excel(source, sheet_name="Referrals", infer_schema_length=0).head(10)
        year, mm = month.split("-")
        frame = change(frame.with_columns(pl.lit(f"15/{mm}/{year}").alias("Date Received"),
                                          pl.lit(None, pl.String).alias("Needs Assessment Date")))
        if blank_rows:
            frame = pl.concat([frame, pl.DataFrame({c: [None] * blank_rows for c in frame.columns},
                                                   schema=frame.schema)])
        out = io.BytesIO()
        frame.write_excel(out, worksheet=sheet)
        return out.getvalue()
    return make


def open_file(relative: str, change: Callable[[bytes], bytes] = lambda b: b) -> Callable[[Path], bytes]:
    return lambda _: change((OPEN / relative).read_bytes())


def first_rows(n: int) -> Callable[[bytes], bytes]:
    return lambda data: b"\n".join(data.split(b"\n")[:n + 1]) + b"\n"


def cut_mid_row(data: bytes) -> bytes:
    lines = data.split(b"\n")[:40]
    return b"\n".join(lines[:-1]) + b"\n" + lines[-1][: len(lines[-1]) // 3]


def mps_cell(data: bytes) -> bytes:
    lines = data.decode().splitlines()
    fields = lines[3].split(",")
    fields[-1] = '"n/a"'
    return "\n".join(lines[:3] + [",".join(fields)] + lines[4:20]).encode() + b"\n"


def drop_column(name: str) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(data.decode())))[:20]
        keep = [i for i, h in enumerate(rows[0]) if h != name]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
        return out.getvalue().encode()
    return change


def set_field(row: int, column: str, value: str) -> Callable[[list[dict]], None]:
    return lambda rows: rows[row - 1].update({column: value})


def short_row(lines: list[str]) -> list[str]:
    return lines[:3] + [",".join(lines[3].split(",")[:-1])] + lines[4:]


# --- the corpus -----------------------------------------------------------------------------------

CASES = {
    # police_crimes: UTF-8 CSV
    "csv ends inside a quoted field": Case(
        "police_crimes/met_crimes_2023-01.csv", text_edit(police("2023-01"), lambda t: t + '4000099/23,"Smi'),
        "rejected", "looks truncated: it ends inside a quoted field"),
    "csv last line cut short": Case(
        "police_crimes/met_crimes_2023-02.csv", text_edit(police("2023-02"), lambda t: t[: t.rindex(",John,")]),
        "rejected", "has no line ending and only 10 of the header's 23 fields"),
    "csv undecodable bytes": Case(
        "police_crimes/met_crimes_2023-03.csv", lambda w: police("2023-03")(w) + b"4000099/23,\x81\x8d\x8f\n",
        "rejected", "neither UTF-8 nor Windows-1252"),
    "csv header only": Case("police_crimes/met_crimes_2023-04.csv", police("2023-04", rows=0), "rejected", "no data rows"),
    "csv empty file": Case("police_crimes/met_crimes_2023-05.csv", lambda _: b"", "rejected", "is empty"),
    "csv missing required column": Case(
        "police_crimes/met_crimes_2023-06.csv", police("2023-06", columns=[c for c in POLICE_COLUMNS if c != "borough"]),
        "rejected", "required column(s) missing: borough"),
    "csv duplicate rows": Case(
        "police_crimes/met_crimes_2023-07.csv", police("2023-07", edit=lambda r: r.append(dict(r[1]))),
        "loaded", findings=frozenset({(11, None, "duplicate_row")})),
    "csv key conflict": Case(
        "police_crimes/met_crimes_2023-08.csv",
        police("2023-08", edit=lambda r: r.append({**r[4], "offence_subgroup": "Something else"})),
        "loaded", findings=frozenset({(5, None, "key_conflict"), (11, None, "key_conflict")})),
    "csv invalid code": Case("police_crimes/met_crimes_2023-09.csv", police("2023-09", edit=set_field(3, "offence_group", "Burglery")),
                             "loaded", findings=frozenset({(3, "offence_group", "not_allowed_value")})),
    "csv impossible date": Case("police_crimes/met_crimes_2023-10.csv", police("2023-10", edit=set_field(2, "report_date", "2023-10-32")),
                                "loaded", findings=frozenset({(2, "report_date", "invalid_date")})),
    "csv swapped day and month": Case("police_crimes/met_crimes_2023-11.csv",
                                      police("2023-11", edit=set_field(4, "victim_dob", "1980-13-05")),
                                      "loaded", findings=frozenset({(4, "victim_dob", "invalid_date")})),
    "csv unresolvable borough": Case("police_crimes/met_crimes_2023-12.csv", police("2023-12", edit=set_field(6, "borough", "Atlantis")),
                                     "loaded", findings=frozenset({(6, "borough", "unresolved_borough")})),
    "csv row one field short": Case("police_crimes/met_crimes_2024-01.csv",
                                    text_edit(police("2024-01"), lambda t: "\n".join(short_row(t.splitlines())) + "\n"),
                                    "loaded", findings=frozenset({(3, None, "wrong_field_count")})),
    "csv too many failing rows": Case("police_crimes/met_crimes_2024-02.csv",
                                      police("2024-02", edit=lambda r: [x.update(borough="Nowhere") for x in r[:4]]),
                                      "rejected", "4 of 10 rows (40%) failed row-level checks"),
    "csv higher version first": Case("police_crimes/met_crimes_2024-03_v2.csv", police("2024-03", rows=4), "loaded"),
    "csv lower version arriving late": Case("police_crimes/met_crimes_2024-03.csv", police("2024-03", rows=6), "superseded",
                                            "version 1 arrived after version 2", landed_second=True),
    "stray file in a feed folder": Case("police_crimes/notes for the team.txt", lambda _: b"hello", "unknown",
                                        "matches no feed's file pattern"),
    # court_hearings: Windows-1252 CSV, dd/mm/yyyy
    "cp1252 csv loads with a warning": Case("court_hearings/hmcts_hearings_2023-01.csv", court("2023-01"), "loaded"),
    "cp1252 csv missing required column": Case(
        "court_hearings/hmcts_hearings_2023-02.csv",
        court("2023-02", lambda ls: [",".join(f for i, f in enumerate(line.split(",")) if i != 1) for line in ls]),
        "rejected", "required column(s) missing: urn"),
    "cp1252 csv impossible dd/mm/yyyy date": Case(
        "court_hearings/hmcts_hearings_2023-03.csv",
        court("2023-03", lambda ls: ls[:2] + [ls[2].replace(ls[2].split(",")[4], "30/02/2023", 1)] + ls[3:]),
        "loaded", findings=frozenset({(2, "hearing_date", "invalid_date")})),
    "cp1252 csv header only": Case("court_hearings/hmcts_hearings_2023-04.csv", court("2023-04", lambda ls: ls[:1]),
                                   "rejected", "no data rows"),
    "cp1252 csv ends inside a quoted field": Case("court_hearings/hmcts_hearings_2023-05.csv",
                                                  court("2023-05", lambda ls: ls + ['H000000001,"01AB']), "rejected",
                                                  "looks truncated"),
    "cp1252 csv row with an extra field": Case(
        "court_hearings/hmcts_hearings_2023-06.csv", court("2023-06", lambda ls: ls[:5] + [ls[5] + ",extra"] + ls[6:]),
        "loaded", findings=frozenset({(5, None, "wrong_field_count")})),
    # probation_vcs: JSON Lines snapshots
    "jsonl a line that is not JSON": Case("probation_vcs/vcs_cases_2023-01-31.jsonl",
                                          vcs(lambda ls: ls[:3] + ['{"vcs_case_id": "VCS0000001", broken'] + ls[3:]),
                                          "loaded", findings=frozenset({(4, None, "malformed_record")})),
    "jsonl a line that is not an object": Case("probation_vcs/vcs_cases_2023-02-28.jsonl",
                                               vcs(lambda ls: ls[:2] + ["[1, 2, 3]"] + ls[2:]),
                                               "loaded", findings=frozenset({(3, None, "malformed_record")})),
    "jsonl last line cut": Case("probation_vcs/vcs_cases_2023-03-31.jsonl", vcs(lambda ls: ls[:-1] + [ls[-1][:40]], end=""),
                                "rejected", "looks truncated: its last line (row 10)"),
    "jsonl empty file": Case("probation_vcs/vcs_cases_2023-04-30.jsonl", lambda _: b"", "rejected", "is empty"),
    "jsonl duplicate lines": Case("probation_vcs/vcs_cases_2023-05-31.jsonl", vcs(lambda ls: ls + [ls[0]]),
                                  "loaded", findings=frozenset({(11, None, "duplicate_row")})),
    "jsonl key conflict": Case(
        "probation_vcs/vcs_cases_2023-06-30.jsonl",
        vcs(lambda ls: ls + [json.dumps({**json.loads(ls[1]), "offence_group": "Theft"})]),
        "loaded", findings=frozenset({(2, None, "key_conflict"), (11, None, "key_conflict")})),
    "jsonl invalid identifier": Case(
        "probation_vcs/vcs_cases_2023-07-31.jsonl",
        vcs(lambda ls: ls[:4] + [json.dumps({**json.loads(ls[4]), "crn": "12345"})] + ls[5:]),
        "loaded", findings=frozenset({(5, "crn", "invalid_format")})),
    "jsonl undecodable bytes": Case("probation_vcs/vcs_cases_2023-08-31.jsonl", lambda w: vcs()(w) + b'{"x": "\x81\x8d"}\n',
                                    "rejected", "neither UTF-8 nor Windows-1252"),
    "jsonl a later snapshot first": Case("probation_vcs/vcs_cases_2023-12-31.jsonl", vcs(), "loaded"),
    "jsonl an older snapshot arriving late": Case("probation_vcs/vcs_cases_2023-11-30.jsonl", vcs(lambda ls: ls[:8]),
                                                  "loaded", landed_second=True),
    # council_hub: XLSX workbooks
    "xlsx without the Referrals sheet": Case("council_hub/barnet_victim_care_hub_2023-01.xlsx", hub(sheet="Sheet1"),
                                             "rejected", "has no sheet named 'Referrals'"),
    "xlsx that is not a workbook": Case("council_hub/camden_victim_care_hub_2023-01.xlsx", lambda _: b"PK\x03\x04 not a zip",
                                        "rejected", "is not a readable XLSX workbook"),
    "xlsx header only": Case("council_hub/croydon_victim_care_hub_2023-01.xlsx", hub(lambda f: f.head(0)), "rejected",
                             "no data rows"),
    "xlsx missing required column": Case("council_hub/hackney_victim_care_hub_2023-01.xlsx",
                                         hub(lambda f: f.drop("Referral Source")), "rejected",
                                         "required column(s) missing: Referral Source"),
    "xlsx invalid id, trailing blank rows": Case(
        "council_hub/lewisham_victim_care_hub_2023-01.xlsx",
        hub(lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("LEW-12"))
                                     .otherwise(pl.col("Referral ID")).alias("Referral ID")), blank_rows=3),
        "loaded", findings=frozenset({(3, "Referral ID", "invalid_format")})),
    "xlsx impossible date": Case(
        "council_hub/newham_victim_care_hub_2023-01.xlsx",
        hub(lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("31/02/2023"))
                                     .otherwise(pl.col("Date Received")).alias("Date Received"))),
        "loaded", findings=frozenset({(2, "Date Received", "invalid_date")})),
    "xlsx duplicate rows": Case("council_hub/hounslow_victim_care_hub_2023-01.xlsx",
                                hub(lambda f: pl.concat([f, f.head(1)])), "loaded",
                                findings=frozenset({(11, None, "duplicate_row")})),
    "xlsx unresolvable borough in the name": Case("council_hub/atlantis_victim_care_hub_2023-01.xlsx", hub(), "rejected",
                                                  "10 of 10 rows (100%) failed"),
    # real public files
    "police_uk file cut mid-row": Case("police_uk/2025-01-metropolitan-street.csv",
                                       open_file("police_uk/2025-01-metropolitan-street.csv", cut_mid_row),
                                       "rejected", "looks truncated"),
    "police_uk exact duplicate rows": Case("police_uk/2023-07-city-of-london-street.csv",
                                           open_file("police_uk/2023-07-city-of-london-street.csv"), "loaded",
                                           findings=frozenset({(26, None, "duplicate_row"),
                                                               (117, None, "duplicate_row")})),
    "police_uk stray copy": Case("police_uk/2025-01-metropolitan-street (1).csv",
                                 open_file("police_uk/2025-01-metropolitan-street.csv", first_rows(5)),
                                 "unknown", "matches no feed's file pattern"),
    "police_uk empty file": Case("police_uk/2024-12-metropolitan-outcomes.csv", lambda _: b"", "rejected", "is empty"),
    "mps a count that is not a number": Case("mps_recorded_crime/recorded-crime-borough_2026-03-15.csv",
                                             open_file("mps_recorded_crime/recorded-crime-borough.csv", mps_cell),
                                             "loaded", findings=frozenset({(3, "crime_count", "invalid_format")})),
    "mps header only": Case("mps_recorded_crime/recorded-crime-borough_2026-02-15.csv",
                            open_file("mps_recorded_crime/recorded-crime-borough.csv", first_rows(0)),
                            "rejected", "no data rows"),
    "mps missing required column": Case("mps_recorded_crime/recorded-crime-borough_2026-01-15.csv",
                                        open_file("mps_recorded_crime/recorded-crime-borough.csv", drop_column("boroughname")),
                                        "rejected", "required column(s) missing: boroughname"),
}


def ingest_all(con, landing: Path) -> None:
    contracts = load_contracts()
    for contract in contracts.values():
        ingest_feed(con, contract, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    register_unknown_files(con, contracts, list_landing_files(landing))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    generate(root / "clean", root / "truth", start="2025-01", months=1, scale=0.1, seed=9, defects=DefectRates.none())
    landing = root / "landing"
    for second_round in (False, True):
        for case in CASES.values():
            if case.landed_second == second_round:
                path = landing / case.relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(case.make(root / "clean"))
        con = duckdb.connect(str(root / "wh.duckdb"))
        ingest_all(con, landing)
        con.close()
    return duckdb.connect(str(root / "wh.duckdb"), read_only=True)


def test_the_corpus_covers_every_format_and_at_least_thirty_cases():
    formats = {load_contracts()[case.relative.split("/")[0]].format for case in CASES.values()}
    assert len(CASES) >= 30 and formats == {"csv", "jsonl", "xlsx"}


@pytest.mark.parametrize("name", list(CASES))
def test_each_delivery_ends_as_stated_and_says_why(corpus, name):
    case = CASES[name]
    [(status, reason, received, loaded, quarantined)] = corpus.execute(
        "select status, reason, rows_received, rows_loaded, rows_quarantined from ops.file_registry "
        "where relative_path = ?", [case.relative]).fetchall()
    assert status == case.status, reason
    if case.reason:
        assert case.reason in reason
    if status in ("rejected", "unknown"):
        assert "the sender" in reason.lower() or "rename and re-deliver" in reason
    if status == "loaded":
        assert received == loaded + quarantined
    findings = corpus.execute(
        "select q.row_number, q.column_name, q.check_name, q.reason from ops.quarantine q "
        "join ops.file_registry r using (file_id) where r.relative_path = ?", [case.relative]).fetchall()
    assert case.findings <= {(row, column, check) for row, column, check, _ in findings}
    assert all("the sender should" in why for *_, why in findings)


def test_every_loaded_file_accounts_for_every_row_it_received(corpus):
    unbalanced = corpus.execute("""select file_name from ops.file_registry where status in ('loaded', 'superseded')
                                   and rows_received <> rows_loaded + rows_quarantined""").fetchall()
    assert unbalanced == []


def test_trailing_blank_workbook_rows_are_not_rows(corpus):
    [(received,)] = corpus.execute("select rows_received from ops.file_registry "
                                   "where file_name = 'lewisham_victim_care_hub_2023-01.xlsx'").fetchall()
    assert received == 10
