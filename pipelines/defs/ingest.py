"""Ingest assets: one per feed contract (a factory, not copies), then the registry closure.

`raw/<feed>` loads whatever is new in that feed's landing folder; `ops/file_registry` registers
files that match no feed and checks that every received row is accounted for.
"""

from collections import Counter

import dagster as dg

from pipelines.build_log import PROGRESS
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest.landing import list_landing_files
from pipelines.ingest.pipeline import FileResult, ingest_feed, register_unknown_files
from pipelines.ingest.registry import ensure_tables
from pipelines.ingest.findings import REDACTED
from schemas.contract import FeedContract, load_contracts

REGISTRY_KEY = dg.AssetKey(["ops", "file_registry"])


def delivery_metadata(results: list[FileResult]) -> dict[str, int]:
    """Counts only: file names and statuses go to the registry, never values."""
    statuses = Counter(r.status for r in results)
    return {
        "files_new": len(results),
        **{f"files_{status}": n for status, n in sorted(statuses.items())},
        "rows_received": sum(r.rows_received or 0 for r in results if r.status == "loaded"),
        "rows_loaded": sum(r.rows_loaded or 0 for r in results),
        "rows_quarantined": sum(r.rows_quarantined or 0 for r in results if r.status == "loaded"),
        "fields_nulled": sum(r.fields_nulled or 0 for r in results),
    }


def progress(log):
    """`log`, with each message tagged as a progress line (one file's fate) for `mopac build`'s console."""
    return lambda message: log(message, extra={PROGRESS: True})


def build_ingest_asset(contract: FeedContract) -> dg.AssetsDefinition:
    @dg.asset(key=["raw", contract.feed], group_name="raw", kinds={"python", "duckdb"},
              description=f"{contract.title}: new deliveries in landing/{contract.feed}/, validated against "
                          f"schemas/contracts/{contract.feed}.yaml, pseudonymised and appended to raw.{contract.feed}.")
    def ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings
        files = [f for f in list_landing_files(settings.landing_dir) if f.folder == contract.feed]
        with warehouse.connect() as con:
            results = ingest_feed(con, contract, files, pseudonym_key=settings.pseudonym_key,
                                  max_row_failure_share=settings.max_row_failure_share,
                                  log=progress(context.log.info))
        return dg.MaterializeResult(metadata=delivery_metadata(results))

    return ingest


ingest_assets = [build_ingest_asset(contract) for contract in load_contracts().values()]


@dg.asset(key=REGISTRY_KEY, group_name="raw", kinds={"python", "duckdb"},
          deps=[a.key for a in ingest_assets],
          description="The file registry after every feed has ingested: files matching no feed are registered "
                      "as 'unknown'.")
def file_registry(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    with warehouse.connect() as con:
        unknown = register_unknown_files(con, load_contracts(), list_landing_files(settings.landing_dir),
                                         log=progress(context.log.warning))
        by_status = dict(con.execute("select status, count(*) from ops.file_registry group by all").fetchall())
    return dg.MaterializeResult(metadata={"files_unknown_new": len(unknown),
                                          **{f"files_{s}": n for s, n in sorted(by_status.items())}})


@dg.asset_check(asset=REGISTRY_KEY, blocking=True,
                description="Nothing lost: for every loaded or superseded file, rows received = rows loaded + "
                            "rows quarantined, and its quarantine holds exactly that many row-level rows.")
def every_row_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        ensure_tables(con)
        unbalanced = con.execute("""
            select r.file_name from ops.file_registry r
            left join (select file_id, count(distinct row_number) as n from ops.quarantine
                       where severity = 'row' group by file_id) q using (file_id)
            where r.status in ('loaded', 'superseded') and r.rows_received is not null
              and (r.rows_received <> r.rows_loaded + r.rows_quarantined or coalesce(q.n, 0) <> r.rows_quarantined)
            order by 1""").fetchall()
    return dg.AssetCheckResult(passed=not unbalanced, metadata={"unbalanced_files": [f for (f,) in unbalanced][:20]})


@dg.asset_check(asset=REGISTRY_KEY, blocking=True,
                description="Privacy: every quarantine value of a personal-data column is redacted.")
def quarantine_holds_no_personal_data(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    pii_columns = [(c.feed, col.name) for c in load_contracts().values() for col in c.columns if col.is_pii]
    with warehouse.connect() as con:
        ensure_tables(con)
        con.execute("create or replace temp table pii_columns (feed varchar, column_name varchar)")
        con.executemany("insert into pii_columns values (?, ?)", pii_columns)
        exposed = con.execute("""
            select count(*) from ops.quarantine q join pii_columns p using (feed, column_name)
            where q.value is not null and q.value <> ?""", [REDACTED]).fetchone()[0]
    return dg.AssetCheckResult(passed=exposed == 0, metadata={"unredacted_values": exposed})
