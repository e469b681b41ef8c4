"""Probabilistic linkage of victim records that carry no usable reference (Splink 5, DuckDB).

Left: records the deterministic stage could not place (never police, never survey responses,
which carry no person tokens). Right: every candidate record, police included. The model compares
keyed tokens only: equal tokens mean equal clear values, so every comparison is exact on a token,
with coarser tokens (initial, Soundex, day/month-swapped date, birth year, district) as partial
levels. The trained model (settings, m and u) is a versioned JSON file beside this module.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl

MODEL_PATH = Path(__file__).parent / "model" / "victim_linkage_v1.json"

# Chosen from the precision/recall curves of a synthetic world, as built and against 900k police
# candidates (model/threshold.md): among round thresholds, the highest pairwise recall whose
# precision stays at or above 0.99 in both (ties go higher: a false link merges two journeys).
THRESHOLD = 0.8

# The prior (probability_two_random_records_match) is per left x right pair, so it shrinks as the
# candidate set grows (each record still has only a few true matches). The model file records how
# many candidates it was trained against, and prediction dilutes the prior by that ratio; it never
# raises it, so a small candidate set is not made more trusting.
TRAINING_CANDIDATES_KEY = "mopac_training_candidates"

# Splink's own DuckDB: without a limit it caches up to most of the machine's memory, and it uses
# what it is given whatever the number of records (scoring in chunks did not lower it). Scoring a
# year of London from scratch (16k records to link, 0.8M candidates met on a blocking rule, ~8M
# pairs) takes 3.9 s at 512MB with record ids as numbers (RecordNumbers), 5.5 s at 384MB and 9.7 s
# at 256MB, where it spills; with ids as text it spilled at 512MB too and took 11.5 s.
SPLINK_MEMORY_LIMIT = "512MB"

POLICE = "police_crimes"
SURVEY = "uss_responses"
LEFT, RIGHT = "unlinked", "candidates"

TOKEN_COLUMNS = ("forename_token", "forename_initial_token", "surname_token", "surname_soundex_token",
                 "dob_token", "dob_unordered_token", "birth_year", "postcode_token", "postcode_district")
# Tokens are only ever compared for equality, so Splink gets them as 64-bit hashes (8 bytes, not 32
# hex characters): a year of police candidates then fits in a few hundred MB. Two of ~10^6 values
# collide with odds of ~10^-7, and a collision would only make one comparison level look equal.
HASHED_TOKENS = tuple(column for column in TOKEN_COLUMNS if column.endswith("_token"))
INPUT_SCHEMA = {"record_id": pl.String, "feed": pl.String,
                **{column: pl.UInt64 if column in HASHED_TOKENS else pl.Int32 if column == "birth_year" else pl.String
                   for column in TOKEN_COLUMNS}}
# The same columns as int_linkage__records holds them, tokens as text.
TEXT_INPUT_SCHEMA = {column: pl.String if dtype == pl.UInt64 else dtype for column, dtype in INPUT_SCHEMA.items()}
OUTPUT_SCHEMA = {"record_id": pl.String, "matched_record_id": pl.String, "match_probability": pl.Float64}

# Each rule must also keep a record from meeting itself: a non-police record is on both sides.
# Together they reach 99.8% of true pairs on a synthetic world, and against 900k police candidates
# they give ~510 pairs per left record (model/README.md): Soundex + birth year and date of birth
# are the broad ones, kept because each catches a different typo (surname, date).
BLOCKING_RULES = (
    "l.dob_token = r.dob_token",
    "l.surname_soundex_token = r.surname_soundex_token and l.birth_year = r.birth_year",
    "l.postcode_token = r.postcode_token",
    "l.forename_token = r.forename_token and l.surname_token = r.surname_token",
    "l.dob_unordered_token = r.dob_unordered_token and l.forename_initial_token = r.forename_initial_token",
)


def _exact(column: str) -> str:
    return f'"{column}_l" = "{column}_r"'


def _comparison(name: str, null_when: str, levels: list[tuple[str, str]]) -> dict:
    """Null when the weakest token is missing on either side (nothing to compare), then the levels
    strongest first, then else."""
    return {
        "output_column_name": name,
        "comparison_levels": [
            {"sql_condition": f'"{null_when}_l" is null or "{null_when}_r" is null',
             "label_for_charts": "null", "is_null_level": True},
            *({"sql_condition": condition, "label_for_charts": label} for label, condition in levels),
            {"sql_condition": "else", "label_for_charts": "else"},
        ],
    }


def settings() -> dict:
    """Splink settings (without trained m and u): a two-dataset link_only of unlinked records
    against candidates."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "record_id",
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": f"{rule} and l.record_id <> r.record_id", "sql_dialect": "duckdb"}
            for rule in BLOCKING_RULES
        ],
        "comparisons": [
            _comparison("forename", "forename_initial_token", [
                ("exact", _exact("forename_token")),
                ("initial", _exact("forename_initial_token")),
            ]),
            _comparison("surname", "surname_soundex_token", [
                ("exact", _exact("surname_token")),
                ("soundex", _exact("surname_soundex_token")),
            ]),
            _comparison("dob", "birth_year", [
                ("exact", _exact("dob_token")),
                ("day_month_swapped", _exact("dob_unordered_token")),
                ("birth_year", _exact("birth_year")),
            ]),
            _comparison("postcode", "postcode_district", [
                ("exact", _exact("postcode_token")),
                ("district", _exact("postcode_district")),
            ]),
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["feed"],
    }


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """The columns Splink reads, typed (a small or all-null frame would otherwise carry the null
    type into DuckDB). Text tokens are hashed here; tokens already hashed in DuckDB
    (compact_columns_sql) pass through. Both sides of one prediction must come the same way."""
    def typed(column: str, dtype: pl.DataType) -> pl.Expr:
        value = pl.col(column)
        if column in HASHED_TOKENS and records.schema.get(column) == pl.String:
            value = pl.when(value.is_null()).then(None).otherwise(value.hash(seed=0))
        return value.cast(dtype).alias(column)
    return records.select(typed(column, dtype) for column, dtype in INPUT_SCHEMA.items())


def left_records(unlinked: pl.DataFrame) -> pl.DataFrame:
    """Police victims are identified by victim_ref, and survey responses carry no person tokens."""
    return prepare(unlinked).filter(~pl.col("feed").is_in([POLICE, SURVEY]))


def right_records(candidates: pl.DataFrame) -> pl.DataFrame:
    return prepare(candidates).filter(pl.col("feed") != SURVEY)


def splink_database() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB of Splink's own, never the warehouse file, held to SPLINK_MEMORY_LIMIT."""
    return duckdb.connect(config={"memory_limit": SPLINK_MEMORY_LIMIT})


def register(connection: duckdb.DuckDBPyConnection, left: pl.DataFrame, right: pl.DataFrame):
    """A Splink DuckDB API on `connection` with the left and right frames registered under fixed
    names."""
    from splink import DuckDBAPI

    db_api = DuckDBAPI(connection=connection)
    return db_api.register(left.to_arrow(), dataset_display_name=LEFT), \
        db_api.register(right.to_arrow(), dataset_display_name=RIGHT)


def predict_links(unlinked: pl.DataFrame, candidates: pl.DataFrame, model_path: Path | str = MODEL_PATH,
                  threshold: float = THRESHOLD, connection: duckdb.DuckDBPyConnection | None = None,
                  candidate_count: int | None = None) -> pl.DataFrame:
    """Every (unlinked record, candidate record) pair whose match probability is at or above
    threshold: record_id (the unlinked record), matched_record_id, match_probability.

    `candidates` may be only those that meet some unlinked record on a blocking rule
    (blocked_candidates_sql): the pairs are the same. `candidate_count` is then the size of the
    whole candidate set, which the prior is diluted for."""
    from splink import Linker

    left, right = left_records(unlinked), right_records(candidates)
    if left.is_empty() or right.is_empty():
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    model = model_for(model_path, candidate_count if candidate_count is not None else right.height)
    numbers = RecordNumbers(left, right)
    # A DuckDB of our own is closed as soon as the pairs are out: its memory goes back at once,
    # not whenever the linker is collected.
    splink_db = connection if connection is not None else splink_database()
    try:
        linker = Linker(list(register(splink_db, numbers.of(left), numbers.of(right))), model, log_level=None)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        pairs = pl.from_arrow(predictions.as_pyarrow_table())
        predictions.drop_table_from_database_and_remove_from_cache()
    finally:
        if connection is None:
            splink_db.close()
    return orient(numbers.named(pairs, ["record_id_l", "record_id_r"]), threshold)


class RecordNumbers:
    """Record ids as numbers while Splink works. It carries both ids of every pair it compares
    through its tables (a year's first build compares ~8M pairs), and 8-byte numbers in place of
    ids of ~25 characters keep them within SPLINK_MEMORY_LIMIT instead of spilling to disk: that
    year's scoring took 3.9 s instead of 11.5 s, with the same pairs. A record on both sides (a
    non-police record is a candidate too) has one number, so it still never meets itself."""

    NUMBER = "record_number"

    def __init__(self, *frames: pl.DataFrame):
        self._ids = (pl.concat([frame.select("record_id") for frame in frames]).unique()
                     .with_row_index(self.NUMBER).with_columns(pl.col(self.NUMBER).cast(pl.Int64)))

    def of(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with each record_id replaced by its number."""
        return (frame.join(self._ids, on="record_id", how="left", maintain_order="left")
                .with_columns(record_id=pl.col(self.NUMBER)).drop(self.NUMBER))

    def named(self, frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """The frame with these columns' numbers replaced by the record ids they stand for."""
        return frame.with_columns(
            pl.col(column).replace_strict(self._ids[self.NUMBER], self._ids["record_id"], return_dtype=pl.String)
            for column in columns)


def candidate_filter_sql(records: str) -> str:
    """The condition a record of `records` must meet to be a candidate at all."""
    tokens = " or ".join(f"{records}.{column} is not null" for column in TOKEN_COLUMNS)
    return f"{records}.feed <> '{SURVEY}' and ({tokens})"


def compact_columns_sql(alias: str) -> str:
    """The columns Splink reads, from a relation of text tokens, with the tokens hashed in DuckDB."""
    return ", ".join(f"case when {alias}.{column} is not null then hash({alias}.{column}) end as {column}"
                     if column in HASHED_TOKENS else f"{alias}.{column}" for column in INPUT_SCHEMA)


def blocked_candidates_sql(records: str, unlinked: str) -> str:
    """The candidates of `records` that meet at least one record of `unlinked` (both of text
    tokens) on a blocking rule, compacted: every pair Splink would compare, without carrying every
    police victim of the warehouse into memory as text. One semi-join per rule, compacted before
    the union removes repeats (a third of the time of one scan testing every rule: the union
    compares hashes, not 32-character tokens)."""
    return "\nunion\n".join(
        f"select {compact_columns_sql('r')} from {records} as r semi join {unlinked} as l on {rule} "
        f"where {candidate_filter_sql('r')}" for rule in BLOCKING_RULES)


def model_for(model_path: Path | str, candidates: int) -> dict:
    """The saved model with its prior diluted for a candidate set larger than the training one."""
    model = json.loads(Path(model_path).read_text(encoding="utf-8"))
    trained_on = model.pop(TRAINING_CANDIDATES_KEY, None)
    if trained_on and candidates > trained_on:
        model["probability_two_random_records_match"] *= trained_on / candidates
    return model


def orient(pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Splink orders the two inputs by its own rule: put the unlinked record first whichever side
    it came out on."""
    left_first = pl.col("source_dataset_l") == LEFT
    return (
        pairs.filter(pl.col("match_probability") >= threshold)
        .filter(~((pl.col("feed_l") == POLICE) & (pl.col("feed_r") == POLICE)))
        .select(
            record_id=pl.when(left_first).then(pl.col("record_id_l")).otherwise(pl.col("record_id_r")),
            matched_record_id=pl.when(left_first).then(pl.col("record_id_r")).otherwise(pl.col("record_id_l")),
            match_probability=pl.col("match_probability").cast(pl.Float64),
        )
        .cast(OUTPUT_SCHEMA)
        .sort("record_id", "match_probability", "matched_record_id", descending=[False, True, False])
    )
