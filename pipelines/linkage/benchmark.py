"""Time probabilistic prediction against a police candidate set inflated to real London volume.

Police records of a built world are copied until there are --police of them. In each copy the
name, surname, date-of-birth and postcode token groups are shuffled independently across records,
so every token keeps its population frequency (blocks grow as they would at full scale) while a
copy is a new, unrelated person rather than a near-duplicate of the original.

    python -m pipelines.linkage.benchmark --warehouse /tmp/w/mopac.duckdb --police 900000 --unlinked 3000
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.linkage import probabilistic
from pipelines.linkage.train import CURVE_THRESHOLDS, curve, true_pairs
from pipelines.linkage.truth import RECORDS_TABLE, record_persons

GROUPS = (
    ("forename_token", "forename_initial_token"),
    ("surname_token", "surname_soundex_token"),
    ("dob_token", "dob_unordered_token", "birth_year"),
    ("postcode_token", "postcode_district"),
)


def shuffled_copy(police: pl.DataFrame, copy: int) -> pl.DataFrame:
    groups = [police.select(group).sample(fraction=1.0, shuffle=True, seed=copy * 10 + index)
              for index, group in enumerate(GROUPS)]
    return pl.concat([police.select(record_id=pl.col("record_id") + f"#{copy}", feed=pl.col("feed")), *groups],
                     how="horizontal")


def inflate(police: pl.DataFrame, target: int) -> pl.DataFrame:
    copies = [shuffled_copy(police, copy) for copy in range(1, -(-target // police.height))]
    return pl.concat([police, *copies]).head(target)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--police", type=int, default=900_000)
    parser.add_argument("--unlinked", type=int, default=3_000)
    parser.add_argument("--truth", type=Path, default=None,
                        help="the world's ground_truth folder: also print the precision/recall curve at this scale")
    args = parser.parse_args(argv)

    con = duckdb.connect(str(args.warehouse), read_only=True)
    records = probabilistic.prepare(con.sql(f"select * from {RECORDS_TABLE}").pl())
    persons = record_persons(con, args.truth) if args.truth else None
    con.close()
    police = records.filter(pl.col("feed") == probabilistic.POLICE)
    others = probabilistic.right_records(records).filter(pl.col("feed") != probabilistic.POLICE)
    unlinked = probabilistic.left_records(others).sample(min(args.unlinked, others.height), seed=1)
    candidates = pl.concat([inflate(police, args.police), others])

    for threshold in (0.0, probabilistic.THRESHOLD, min(CURVE_THRESHOLDS)):
        started = time.perf_counter()
        links = probabilistic.predict_links(unlinked, candidates, threshold=threshold)
        print(f"{unlinked.height:,} unlinked x {candidates.height:,} candidates, threshold {threshold:g}: "
              f"{links.height:,} pairs in {time.perf_counter() - started:.1f} s, "
              f"{links['matched_record_id'].str.contains('#').sum():,} of them to a copy (so false)")
    if persons is not None:
        # Copies have no person, so every link to one counts as wrong.
        with pl.Config(tbl_rows=-1):
            print(curve(links, true_pairs(unlinked, candidates, persons)))


if __name__ == "__main__":
    main()
