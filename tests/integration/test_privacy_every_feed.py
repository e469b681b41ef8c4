"""Canary personal data in every personal field of every feed, in valid rows and in malformed ones
(a short CSV row, a JSON line that is not JSON, a workbook row quarantined, a file cut inside a
quoted field), appears nowhere after a build: no warehouse or published file, no table, no dbt
artefact, no Dagster storage file or compute log, no log line."""
import csv
import io
import json

import duckdb
import polars as pl
import pytest

from pipelines.synthetic import DefectRates, generate
from schemas.contract import load_contracts
from schemas.formats import PNC_CHECK_LETTERS
from tests.integration.build_helpers import build, canary_leaks, isolated_environment

CONTRACTS = load_contracts()
PERSON_FEEDS = ["police_crimes", "police_outcomes", "uss_responses", "court_hearings", "probation_vcs", "council_hub",
                "rj_cases"]


def pnc(year: int, serial: int) -> str:
    return f"{year}/{serial:07d}" + PNC_CHECK_LETTERS[int(f"{year % 100:02d}{serial:07d}") % 23]


def canaries(feed_index: int) -> dict[str, tuple[str, list[str]]]:
    """Per PII kind: the canary written, and the texts that must appear nowhere."""
    n = feed_index
    dob = f"19{31 + n}-02-0{n + 1}"
    return {
        "name": (f"Qzcanary{n}name", [f"QZCANARY{n}NAME"]),
        "date_of_birth": (dob, [dob, f"0{n + 1}/02/19{31 + n}"]),
        "postcode": (f"ZZ{n} 9ZZ", [f"ZZ{n} 9ZZ", f"ZZ{n}9ZZ"]),
        "contact": (f"qz{n}.canary@example.org", [f"QZ{n}.CANARY@"]),
        "victim_ref": (f"V9090909{n}", [f"V9090909{n}"]),
        "pnc": (pnc(1930 + n, 9090900 + n), [pnc(1930 + n, 9090900 + n)]),
        "crn": (f"Z90909{n}", [f"Z90909{n}"]),
    }


def canary_for(col, feed_index: int) -> str:
    kinds = canaries(feed_index)
    value = kinds[col.format if col.pii == "identifier" else col.pii][0]
    if col.type == "date" and CONTRACTS_BY_COLUMN[col.name].date_format == "%d/%m/%Y":
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


CONTRACTS_BY_COLUMN = {c.name: contract for contract in CONTRACTS.values() for c in contract.columns}
SEARCH = sorted({text for i in range(len(PERSON_FEEDS)) for _, texts in canaries(i).values() for text in texts})


def pii_columns(feed: str):
    return [c for c in CONTRACTS[feed].columns if c.is_pii]


def plant_csv(path, feed, index, *, encoding):
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy" if encoding != "utf-8" else "utf8")
    rows = frame.head(6).to_dicts()
    for row in rows[:3]:
        row.update({c.delivered_as: canary_for(c, index) for c in pii_columns(feed)})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=frame.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    short = [str(v or "") for v in {**rows[0], **{c.delivered_as: canary_for(c, index) for c in pii_columns(feed)}}.values()]
    out.write(",".join(v.replace(",", " ") for v in short[:-1]) + "\n")  # one field short: set aside
    path.write_bytes(out.getvalue().encode(encoding))


def plant_jsonl(path, feed, index):
    lines = [json.loads(line) for line in path.read_text().splitlines()[:6]]
    for record in lines[:3]:
        for col in pii_columns(feed):
            node, *rest = col.delivered_as.split(".")
            target = record if not rest else record.setdefault(node, {})
            target[rest[0] if rest else node] = canary_for(col, index)
    broken = json.dumps(lines[0])[:-20]  # cut: not JSON, but with its line ending
    path.write_text("\n".join([*map(json.dumps, lines), broken]) + "\n")


def plant_xlsx(path, feed, index):
    frame = pl.read_excel(path, sheet_name="Referrals", infer_schema_length=0).head(6)
    planted = pl.DataFrame([{**row, **({c.delivered_as: canary_for(c, index) for c in pii_columns(feed)} if i < 4 else {})}
                            for i, row in enumerate(frame.to_dicts())])
    planted = planted.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("not an id"))
                                   .otherwise(pl.col("Referral ID")).alias("Referral ID"))  # row 4 quarantined
    planted.write_excel(path, worksheet="Referrals")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy_every_feed")
    generate(root / "landing", root / "ground_truth", start="2025-01", months=1, scale=0.03, seed=3,
             defects=DefectRates.none())
    for index, feed in enumerate(PERSON_FEEDS):
        path = max((root / "landing" / feed).iterdir(), key=lambda p: p.stat().st_size)
        if CONTRACTS[feed].format == "jsonl":
            plant_jsonl(path, feed, index)
        elif CONTRACTS[feed].format == "xlsx":
            plant_xlsx(path, feed, index)
        else:
            plant_csv(path, feed, index, encoding="cp1252" if feed == "court_hearings" else "utf-8")
    rj = root / "landing" / "rj_cases"
    cut = sorted(rj.iterdir())[0].read_text().rstrip("\n")
    (rj / "restore_london_cases_2024-12-31.csv").write_text(cut + f',"Qzcanary6name {canaries(6)["postcode"][0]}')
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        messages: list[str] = []
        build(messages)
    return {"root": root, "messages": messages}


def test_every_feed_took_its_canaries_in(world):
    con = duckdb.connect(str(world["root"] / "warehouse" / "mopac.duckdb"), read_only=True)
    loaded = dict(con.execute("select feed, sum(rows_loaded) from ops.file_registry group by 1").fetchall())
    findings = {(feed, check) for feed, check in con.execute("select feed, check_name from ops.quarantine").fetchall()}
    rejected = con.execute("select file_name from ops.file_registry where status = 'rejected'").fetchall()
    con.close()
    assert all(loaded.get(feed) for feed in PERSON_FEEDS)
    assert {("police_crimes", "wrong_field_count"), ("probation_vcs", "malformed_record"),
            ("council_hub", "invalid_format")} <= findings
    assert rejected == [("restore_london_cases_2024-12-31.csv",)]


def test_no_canary_reaches_any_file_table_or_log(world):
    assert canary_leaks(world["root"], SEARCH, world["messages"], unsearched={"landing", "ground_truth"}) == []


@pytest.mark.parametrize("feed, tokens", [
    ("police_crimes", ["victim_forename_initial_token", "victim_surname_soundex_token",
                       "victim_dob_unordered_day_month_token", "victim_postcode_token", "victim_ref_token"]),
    ("council_hub", ["first_name_initial_token", "surname_soundex_token", "date_of_birth_unordered_day_month_token",
                     "postcode_token"]),
    ("rj_cases", ["victim_forename_initial_token", "victim_surname_soundex_token",
                  "victim_dob_unordered_day_month_token", "victim_postcode_token", "offender_crn_token"]),
    ("probation_vcs", ["victim_forename_initial_token", "victim_surname_soundex_token",
                       "victim_dob_unordered_day_month_token", "victim_postcode_token", "crn_token", "pnc_token"]),
    ("court_hearings", ["defendant_forename_initial_token", "defendant_surname_soundex_token",
                        "defendant_dob_unordered_day_month_token", "defendant_pnc_token"]),
    ("uss_responses", ["victim_ref_token"]),
    ("police_outcomes", ["suspect_pnc_token"]),
])
def test_every_feed_that_carries_a_person_has_its_linkage_tokens(world, feed, tokens):
    con = duckdb.connect(str(world["root"] / "warehouse" / "mopac.duckdb"), read_only=True)
    filled = con.execute(f"select {', '.join(f'count({t})' for t in tokens)} from raw.{feed}").fetchone()
    con.close()
    assert all(filled), dict(zip(tokens, filled))
