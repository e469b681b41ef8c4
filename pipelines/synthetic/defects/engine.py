"""Inject defects into a clean delivery and log each one with the handling it must receive.

Each record draws one keyed uniform that picks at most one defect kind (the kinds' rates are
consecutive slices of [0, 1)), so a record goes wrong the same way in a `_v2` re-delivery and in
every snapshot that holds it. The handling of each defect is not asserted by hand: the file is
validated with the feed's contract (the warehouse's rules) and the defect takes the check that
fires. A defect is dropped (the record stays clean) when it would trip a check on another column
or more than one check, so each logged defect has exactly one unambiguous consequence; and
row-level defects are thinned so no file has more than MAX_ROW_FAILURE_SHARE of rows quarantined.
Finally every failure must belong to a logged defect: a clean record failing a check is a
generator bug and raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipelines.synthetic.defect_rates import MAX_ROW_FAILURE_SHARE, DefectRates
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.feeds.contract import ROW, Contract, FileContext, validate

DUPLICATE_ROW, KEY_CONFLICT = "duplicate_row", "key_conflict"


@dataclass(frozen=True)
class DefectKind:
    """One way a feed's records go wrong.

    `mutate(draws, value)` gives the new text of `column` (for a key conflict: of the copy's
    `column`); `applies` restricts the kind to records where the mutation makes sense.
    """

    name: str
    column: str | None
    knob: str
    mutate: Callable[[Draws, pl.Expr], pl.Expr] | None = None
    applies: Callable[[], pl.Expr] | None = None
    weight: float = 1.0

    def eligible(self) -> pl.Expr:
        present = pl.col(self.column).is_not_null() if self.column and self.name != KEY_CONFLICT else pl.lit(True)
        return present & (self.applies() if self.applies else pl.lit(True))


@dataclass
class Delivery:
    frame: pl.DataFrame  # spec columns + internal columns, in file order, with _row_number
    failures: pl.DataFrame  # _row_number, column, check, severity
    defects: pl.DataFrame  # _row_number, _rid, defect, column (null: whole row), check, severity


class GeneratorError(RuntimeError):
    """The generator produced a failure it did not inject."""


def deliver(
    clean: pl.DataFrame,
    contract: Contract,
    kinds: list[DefectKind],
    rates: DefectRates,
    draws: Draws,
    ctx: FileContext,
    excluded: pl.Series | None = None,
) -> Delivery:
    """Inject `kinds` into `clean` (spec columns as text + _rid, _order), validate, log.

    `excluded`: _rid values whose defects are suppressed (e.g. corrected in a `_v2`).
    """
    frame = _assign(clean, kinds, rates, draws, contract.feed, excluded)
    dropped: set[int] = set()
    for _ in range(4):
        delivered = _apply(frame, kinds, draws, dropped)
        failures = validate(contract, delivered, ctx)
        rejected = _ambiguous(delivered, failures)
        if not rejected:
            over_cap = _over_cap(delivered, failures, clean.height)
            if not over_cap:
                return Delivery(delivered, failures, _log(delivered, failures))
            rejected = over_cap
        dropped |= rejected
    raise GeneratorError(f"{ctx.file_name}: defects could not be made unambiguous")


def corrected(delivery: Delivery, clean: pl.DataFrame, rids: list[int], contract: Contract, ctx: FileContext) -> Delivery:
    """`delivery` with the records `rids` sent as they are in `clean` (a sender correcting a few
    records of a file it sends again): every other row keeps its text and its defect; row numbers
    shift only where a corrected record loses a duplicate or conflicting copy."""
    kept = delivery.frame.filter(~pl.col("_rid").is_in(rids))
    fixed = clean.filter(pl.col("_rid").is_in(rids)).with_columns(_copy=pl.lit(0).cast(kept.schema["_copy"]))
    frame = (
        pl.concat([kept.drop("_row_number"), fixed], how="diagonal")
        .sort("_order", "_rid", "_copy")
        .with_columns(_row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    )
    failures = validate(contract, frame, ctx)
    if _ambiguous(frame, failures):
        raise GeneratorError(f"{ctx.file_name}: correcting records changed the consequence of other defects")
    return Delivery(frame, failures, _log(frame, failures))


def _assign(clean: pl.DataFrame, kinds: list[DefectKind], rates: DefectRates, draws: Draws, feed: str, excluded) -> pl.DataFrame:
    u = pl.col("_kind_draw")
    ids, edges, start = [], [], 0.0
    for i, k in enumerate(kinds):
        rate = getattr(rates, k.knob) * k.weight
        if rate > 0:
            start += rate
            ids.append(i)
            edges.append(start)
    # The slice u falls in: the number of slice ends at or below u (len(ids) = no defect).
    index = pl.sum_horizontal([(u >= e).cast(pl.Int64) for e in edges]) if edges else pl.lit(0, pl.Int64)
    kind = index.replace_strict(list(range(len(ids) + 1)), ids + [None], return_dtype=pl.Int64)
    frame = clean.with_columns(_kind_draw=draws.uniform("_rid", f"defect.{feed}")).with_columns(_kind=kind)
    if excluded is not None and len(excluded):
        frame = frame.with_columns(_kind=pl.when(pl.col("_rid").is_in(excluded.to_list())).then(None).otherwise(pl.col("_kind")))
    eligible = pl.lit(False)
    for i, k in enumerate(kinds):
        eligible = eligible | ((pl.col("_kind") == i) & k.eligible())
    return frame.with_columns(_kind=pl.when(eligible.fill_null(False)).then(pl.col("_kind")))


def _apply(assigned: pl.DataFrame, kinds: list[DefectKind], draws: Draws, dropped: set[int]) -> pl.DataFrame:
    """Mutate the assigned records (except `dropped`), add duplicate and conflicting copies, and
    put the file in its final order. All mutations read the clean values (one defect per row)."""
    frame = assigned.with_columns(
        _kind=pl.when(pl.col("_rid").is_in(list(dropped))).then(None).otherwise(pl.col("_kind")),
        _copy=pl.lit(0),
    )
    branches: dict[str, list[tuple[pl.Expr, pl.Expr]]] = {}
    for i, k in enumerate(kinds):
        if k.name not in (DUPLICATE_ROW, KEY_CONFLICT):
            branches.setdefault(k.column, []).append((pl.col("_kind") == i, k.mutate(draws, pl.col(k.column))))
    mutated = []
    for column, cases in branches.items():
        expr = pl.when(cases[0][0]).then(cases[0][1])
        for chosen, value in cases[1:]:
            expr = expr.when(chosen).then(value)
        mutated.append(expr.otherwise(pl.col(column)).alias(column))
    names = {i: k.name for i, k in enumerate(kinds) if k.name != DUPLICATE_ROW}
    columns = {i: k.column for i, k in enumerate(kinds) if k.name not in (DUPLICATE_ROW, KEY_CONFLICT)}
    frame = frame.with_columns(
        *mutated,
        _defect=pl.col("_kind").replace_strict(names, default=None, return_dtype=pl.String),
        _defect_column=pl.col("_kind").replace_strict(columns, default=None, return_dtype=pl.String),
    )
    copies = []
    for i, k in enumerate(kinds):
        chosen = (pl.col("_kind") == i).fill_null(False)
        if k.name == DUPLICATE_ROW:
            copies.append(frame.filter(chosen).with_columns(_copy=pl.lit(1), _defect=pl.lit(DUPLICATE_ROW)))
        elif k.name == KEY_CONFLICT:
            copies.append(frame.filter(chosen).with_columns(k.mutate(draws, pl.col(k.column)).alias(k.column), _copy=pl.lit(1)))
    frame = pl.concat([frame, *[c.select(frame.columns) for c in copies]])
    frame = frame.sort("_order", "_rid", "_copy")
    return frame.with_columns(_row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))


def _ambiguous(delivered: pl.DataFrame, failures: pl.DataFrame) -> set[int]:
    """_rid of defects whose consequence is not exactly one check on their own column."""
    per_row = failures.group_by("_row_number").agg(n=pl.len(), column=pl.col("column").first(), check=pl.col("check").first())
    rows = delivered.select("_row_number", "_rid", "_defect", "_defect_column").join(per_row, on="_row_number", how="left")
    unexplained = rows.filter(pl.col("_defect").is_null() & pl.col("n").is_not_null())
    if unexplained.height:
        sample = unexplained.join(failures, on="_row_number").head(5).to_dicts()
        raise GeneratorError(f"clean rows fail validation, e.g. {sample}")
    whole_row = pl.col("_defect").is_in([DUPLICATE_ROW, KEY_CONFLICT])
    ok = (
        pl.when(whole_row)
        .then((pl.col("n") == 1) & (pl.col("check") == pl.col("_defect")))
        .otherwise(pl.col("n").is_null() | ((pl.col("n") == 1) & (pl.col("column") == pl.col("_defect_column"))))
    )
    return set(rows.filter(pl.col("_defect").is_not_null() & ~ok.fill_null(False))["_rid"].to_list())


def _over_cap(delivered: pl.DataFrame, failures: pl.DataFrame, clean_rows: int) -> set[int]:
    limit = math.floor(MAX_ROW_FAILURE_SHARE * clean_rows)
    failing = failures.filter(pl.col("severity") == ROW).select("_row_number").unique()
    if failing.height <= limit:
        return set()
    ranked = (
        delivered.join(failing, on="_row_number")
        .group_by("_rid").agg(rows=pl.len(), draw=pl.col("_kind_draw").first())
        .sort("draw", "_rid")
        .with_columns(total=pl.col("rows").cum_sum())
    )
    return set(ranked.filter(pl.col("total") > limit)["_rid"].to_list())


def _log(delivered: pl.DataFrame, failures: pl.DataFrame) -> pl.DataFrame:
    defective = delivered.filter(pl.col("_defect").is_not_null()).select(
        "_row_number", "_rid", defect="_defect", column="_defect_column"
    )
    checks = failures.select("_row_number", "check", "severity")
    return defective.join(checks, on="_row_number", how="left").sort("_row_number")
