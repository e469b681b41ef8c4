"""One extract file: inject defects into the clean rows, and derive what the truth needs from it
(records, the defect log, and the rows the warehouse will load, with and without defects).
`resend_file` is the same file sent again under its name with a few records corrected."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import dataclasses

import polars as pl

from pipelines.synthetic.defect_rates import DefectRates
from pipelines.synthetic.defects.engine import Delivery, corrected, deliver
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.feeds.contract import ROW, FileContext, handle


@dataclass
class DeliveredFile:
    ctx: FileContext
    delivery: Delivery
    expected: pl.DataFrame  # what the metrics read from this file after the warehouse's handling
    true: pl.DataFrame  # the same from the clean file
    clean_rows: int

    @property
    def frame(self) -> pl.DataFrame:
        return self.delivery.frame

    @property
    def rows(self) -> int:
        return self.delivery.frame.height

    @property
    def quarantined(self) -> int:
        failures = self.delivery.failures
        return failures.filter(pl.col("severity") == ROW)["_row_number"].n_unique()

    def records(self, record_key: pl.Expr) -> pl.DataFrame:
        return self.frame.select(
            feed=pl.lit(self.ctx.feed),
            file_name=pl.lit(self.ctx.file_name),
            delivery=pl.lit(self.ctx.delivery, pl.Int64),
            row_number="_row_number",
            record_key=record_key,
            person_id="_person_id",
            crime_id="_crime_id",
        )

    def defects(self, record_key: pl.Expr) -> pl.DataFrame:
        keys = self.frame.select("_row_number", record_key=record_key)
        return self.delivery.defects.join(keys, on="_row_number", how="left", maintain_order="left").select(
            feed=pl.lit(self.ctx.feed),
            file_name=pl.lit(self.ctx.file_name),
            delivery=pl.lit(self.ctx.delivery, pl.Int64),
            row_number="_row_number",
            record_key="record_key",
            column="column",
            defect="defect",
            severity="severity",
            check="check",
        )


def deliver_file(
    feed: ModuleType,
    clean: pl.DataFrame,
    ctx: FileContext,
    rates: DefectRates,
    draws: Draws,
    excluded: pl.Series | None = None,
) -> DeliveredFile:
    """`feed` is one of the pipelines.synthetic.feeds modules; `clean` its rendered rows."""
    return _delivered(feed, clean, ctx, deliver(clean, feed.CONTRACT, feed.DEFECTS, rates, draws, ctx, excluded))


def resend_file(feed: ModuleType, original: DeliveredFile, clean: pl.DataFrame, rids: list[int]) -> DeliveredFile:
    """`original` (delivered from `clean`) sent again under the same name, with the records `rids`
    corrected (sent as in `clean`) and every other row exactly as before."""
    ctx = dataclasses.replace(original.ctx, delivery=original.ctx.delivery + 1)
    return _delivered(feed, clean, ctx, corrected(original.delivery, clean, rids, feed.CONTRACT, ctx))


def _delivered(feed: ModuleType, clean: pl.DataFrame, ctx: FileContext, delivery: Delivery) -> DeliveredFile:
    expected = feed.loaded(handle(feed.CONTRACT, delivery.frame, delivery.failures, ctx))
    numbered = clean.with_columns(_row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    no_failures = delivery.failures.clear()
    true = feed.loaded(handle(feed.CONTRACT, numbered, no_failures, ctx))
    return DeliveredFile(ctx, delivery, expected, true, clean.height)
