"""Train the probabilistic linkage model without labels, and measure it on a synthetic world.

u comes from random pairs (almost all non-matches), m from expectation maximisation over several
blocking passes so that every comparison is estimated in at least one pass where it is not the
blocking key. The prior (probability that two random records match) is estimated from a strict
deterministic rule. Ground truth is used only to evaluate, never to train.

    python -m pipelines.linkage.train --warehouse /tmp/w/mopac.duckdb --truth /tmp/w/ground_truth
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.linkage import probabilistic
from pipelines.linkage.truth import RECORDS_TABLE, record_persons

EM_PASSES = (
    "l.dob_token = r.dob_token",
    "l.forename_token = r.forename_token and l.surname_token = r.surname_token",
    "l.postcode_token = r.postcode_token",
)
# Near-certain matches, for the prior only; recall is a guess at how many true pairs agree on all.
PRIOR_RULE = ("l.forename_token = r.forename_token and l.surname_token = r.surname_token "
              "and l.dob_token = r.dob_token")
PRIOR_RULE_RECALL = 0.7
U_MAX_PAIRS = 2_000_000
CURVE_THRESHOLDS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
MIN_PRECISION = 0.99
# A synthetic world is cleaner than real records: EM there learns that true matches almost never
# disagree (postcode m(else) ~ 1e-11), which would veto any real mover or typo. Every non-null
# level keeps at least this m, and a level EM never saw (day/month swapped) gets it too.
M_FLOOR = 0.01


def _not_self(rule: str) -> str:
    return f"{rule} and l.record_id <> r.record_id"


def train(records: pl.DataFrame, model_path: Path = probabilistic.MODEL_PATH, seed: int = 1) -> Path:
    """Estimate the prior, u and m on all records (left = every non-police record with person
    tokens, right = every candidate) and write the model JSON."""
    from splink import Linker

    left, right = probabilistic.left_records(records), probabilistic.right_records(records)
    inputs = probabilistic.register(probabilistic.splink_database(), left, right)
    linker = Linker(list(inputs), probabilistic.settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match([_not_self(PRIOR_RULE)], recall=PRIOR_RULE_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    for rule in EM_PASSES:
        linker.training.estimate_parameters_using_expectation_maximisation(_not_self(rule))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model = floor_m(linker.misc.save_model_to_json(str(model_path), overwrite=True))
    model[probabilistic.TRAINING_CANDIDATES_KEY] = right.height
    model_path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model_path


def floor_m(model: dict, floor: float = M_FLOOR) -> dict:
    """The model with every non-null level's m at least floor, renormalised per comparison."""
    for comparison in model["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        floored = [max(level.get("m_probability") or 0.0, floor) for level in levels]
        for level, m in zip(levels, floored):
            level["m_probability"] = m / sum(floored)
    return model


def evaluation_inputs(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Left: every non-police record with a name token; right: every candidate record."""
    has_name = pl.col("forename_token").is_not_null() | pl.col("surname_token").is_not_null()
    return probabilistic.left_records(records).filter(has_name), probabilistic.right_records(records)


def true_pairs(left: pl.DataFrame, right: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """(record_id, matched_record_id) of every left record and another candidate of the same person."""
    people = persons.filter(pl.col("person_id").is_not_null()).select("record_id", "person_id")
    left_people = left.select("record_id").join(people, on="record_id")
    right_people = right.select(matched_record_id="record_id").join(
        people.rename({"record_id": "matched_record_id"}), on="matched_record_id")
    return (left_people.join(right_people, on="person_id")
            .filter(pl.col("record_id") != pl.col("matched_record_id"))
            .select("record_id", "matched_record_id").unique())


def curve(predicted: pl.DataFrame, truth: pl.DataFrame, thresholds=CURVE_THRESHOLDS) -> pl.DataFrame:
    """Pairwise precision and recall of the predicted edges at each threshold."""
    scored = predicted.join(truth.with_columns(correct=pl.lit(True)), on=["record_id", "matched_record_id"],
                            how="left").with_columns(pl.col("correct").fill_null(False))
    rows = []
    for threshold in thresholds:
        kept = scored.filter(pl.col("match_probability") >= threshold)
        correct = int(kept["correct"].sum())
        rows.append({"threshold": threshold, "predicted_pairs": kept.height, "correct_pairs": correct,
                     "precision": correct / kept.height if kept.height else 1.0,
                     "recall": correct / truth.height if truth.height else 0.0})
    return pl.DataFrame(rows)


def choose_threshold(tables: list[pl.DataFrame], min_precision: float = MIN_PRECISION) -> float:
    """Among the round thresholds, the highest mean recall whose precision meets the floor in every
    curve (the world as built, and against a full-scale candidate set)."""
    worst = pl.concat(tables).group_by("threshold").agg(pl.col("precision").min(), pl.col("recall").mean())
    # Ties in recall go to the higher threshold: a false link merges two victims' journeys, which
    # costs more than a missed one.
    good = worst.filter(pl.col("precision") >= min_precision).sort(["recall", "threshold"], descending=[True, True])
    return float(good["threshold"][0]) if good.height else float(worst["threshold"].max())


def markdown(curves: list[tuple[str, pl.DataFrame]], chosen: float) -> str:
    lines = ["# Probabilistic linkage threshold", ""]
    for context, table in curves:
        lines += [context, "", "| threshold | predicted pairs | correct | precision | recall |", "|---|---|---|---|---|"]
        for row in table.iter_rows(named=True):
            mark = " **chosen**" if row["threshold"] == chosen else ""
            lines.append(f"| {row['threshold']:g}{mark} | {row['predicted_pairs']:,} | {row['correct_pairs']:,} "
                         f"| {row['precision']:.4f} | {row['recall']:.4f} |")
        lines.append("")
    lines += [f"THRESHOLD = {chosen:g} (pipelines/linkage/probabilistic.py): among round thresholds, the highest "
              f"mean recall whose pairwise precision is at least {MIN_PRECISION} in every curve above, ties going to "
              "the higher threshold. The full-scale curve matters: more candidates mean more strangers who "
              "share a forename, date of birth and district, even with the prior diluted.", ""]
    return "\n".join(lines)


def scaled_candidates(records: pl.DataFrame, police: int) -> pl.DataFrame:
    """Every candidate, with the police records inflated to the given count of unrelated people."""
    from pipelines.linkage.benchmark import inflate

    right = probabilistic.right_records(records)
    is_police = pl.col("feed") == probabilistic.POLICE
    return pl.concat([inflate(right.filter(is_police), police), right.filter(~is_police)])


def evaluate(left: pl.DataFrame, right: pl.DataFrame, persons: pl.DataFrame, model: Path) -> tuple[pl.DataFrame, str]:
    started = time.perf_counter()
    predicted = probabilistic.predict_links(left, right, model_path=model, threshold=min(CURVE_THRESHOLDS))
    seconds = time.perf_counter() - started
    truth = true_pairs(left, right, persons)
    return curve(predicted, truth), (f"{left.height:,} left records x {right.height:,} candidates, {truth.height:,} "
                                     f"true cross-record pairs, prediction {seconds:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built mopac.duckdb")
    parser.add_argument("--truth", type=Path, required=True, help="the world's ground_truth folder")
    parser.add_argument("--model", type=Path, default=probabilistic.MODEL_PATH)
    parser.add_argument("--scale-police", type=int, default=900_000,
                        help="also evaluate against this many police candidates (copies are unrelated people); 0: no")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="score the existing model on this world; write nothing")
    args = parser.parse_args(argv)

    con = duckdb.connect(str(args.warehouse), read_only=True)
    records = con.sql(f"select * from {RECORDS_TABLE}").pl()
    persons = record_persons(con, args.truth)
    con.close()

    started = time.perf_counter()
    if not args.evaluate_only:
        train(records, args.model)
    trained = time.perf_counter() - started

    left, right = evaluation_inputs(records)
    table, context = evaluate(left, right, persons, args.model)
    curves = [(f"World {args.warehouse}, as built: {context}; training {trained:.1f} s.", table)]
    if args.scale_police:
        table, context = evaluate(left, scaled_candidates(records, args.scale_police), persons, args.model)
        curves.append((f"Same left records against {args.scale_police:,} police candidates "
                       f"(pipelines/linkage/benchmark.py inflation): {context}.", table))
    chosen = choose_threshold([table for _, table in curves])
    text = markdown(curves, chosen)
    if not args.evaluate_only:
        (args.model.parent / "threshold.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
