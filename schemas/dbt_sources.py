"""Generate each feed's dbt source YAML from its contract: `python -m schemas.dbt_sources`.

The generated files are committed (dbt parses them without running Python); a test fails when
one is out of date with its contract.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from pipelines.ingest.load import LINEAGE
from pipelines.ingest.pseudonymise import raw_columns
from pipelines.settings import DBT_PROJECT_DIR
from schemas.contract import FeedContract, load_contracts

HEADER = "# Generated from schemas/contracts/{feed}.yaml by `python -m schemas.dbt_sources`: do not edit.\n"
LINEAGE_DOCS = {
    "_file_id": "ops.file_registry.file_id of the delivery the row came from.",
    "_row_number": "Data row number in that file (1 = first row below the header).",
    "_loaded_at": "When the row was loaded.",
}


def sources_path(feed: str) -> Path:
    return DBT_PROJECT_DIR / "models" / "staging" / feed / f"_{feed}__sources.yml"


def render(contract: FeedContract) -> str:
    columns = [{"name": name, "description": LINEAGE_DOCS[name]} for name in LINEAGE]
    columns += [{"name": name, "description": text} for name, text in raw_columns(contract)]
    table = {
        "name": contract.feed,
        "description": (f"{contract.title} ({contract.sender}). {contract.description} Delivery: "
                        f"{contract.delivery}; key: {', '.join(contract.key)}. Every delivery version is kept; "
                        "ops.file_registry says which is current. Personal data is tokenised at load."),
        "columns": columns,
    }
    document = {"version": 2, "sources": [{"name": "raw", "schema": "raw", "tables": [table]}]}
    return HEADER.format(feed=contract.feed) + yaml.safe_dump(document, sort_keys=False, width=100)


def main(argv: list[str]) -> int:
    stale = []
    for feed, contract in load_contracts().items():
        path, text = sources_path(feed), render(contract)
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    for path in stale:
        print(f"out of date with its contract: {path} (run python -m schemas.dbt_sources)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
