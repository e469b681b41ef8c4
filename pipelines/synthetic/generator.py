"""`generate`: a synthetic London's extracts in the landing folder and its ground truth beside it.

The world is advanced one month at a time; each month's files are delivered (defects injected,
validated, logged), written, and reduced to the small inputs the metrics need, so memory stays
bounded for long runs. Everything random is keyed on the seed (see draws.py), so the same
arguments give byte-identical files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.synthetic.defect_rates import DefectRates
from pipelines.synthetic.delivery import DeliveredFile, deliver_file
from pipelines.synthetic.feeds import council_hub, court_hearings, police_crimes, police_outcomes, probation_vcs, rj_cases, uss_responses
from pipelines.synthetic.feeds.contract import FileContext
from pipelines.synthetic.metrics.collector import MetricCollector, combine
from pipelines.synthetic.months import Month, window
from pipelines.synthetic.output import writers
from pipelines.synthetic.output.truth import TruthWriter
from pipelines.synthetic.world.hubs import HUB_BOROUGHS
from pipelines.synthetic.world.world import MonthWorld, World

# The MetricCollector method each period feed's loaded rows go to.
_COLLECT = {
    police_crimes.FEED: "police_month",
    police_outcomes.FEED: "outcomes",
    uss_responses.FEED: "survey",
    court_hearings.FEED: "hearings",
}
FEEDS = ("police_crimes", "police_outcomes", "uss_responses", "court_hearings", "probation_vcs", "council_hub", "rj_cases")


@dataclass
class GenerationSummary:
    files: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FEEDS})
    rows: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FEEDS})
    elapsed_seconds: float = 0.0

    def __str__(self) -> str:
        lines = [f"{'feed':<16} {'files':>6} {'rows':>12}"]
        lines += [f"{f:<16} {self.files[f]:>6} {self.rows[f]:>12,}" for f in FEEDS]
        lines.append(f"{'total':<16} {sum(self.files.values()):>6} {sum(self.rows.values()):>12,}")
        lines.append(f"generated in {self.elapsed_seconds:.1f} s")
        return "\n".join(lines)


class _Run:
    """State of one generation run: the world, the writers and the metric collectors."""

    def __init__(self, landing: Path, truth_dir: Path, months: list[Month], scale: float, seed: int,
                 rates: DefectRates, progress: Callable[[str], None]):
        self.landing, self.months, self.rates, self.progress = landing, months, rates, progress
        redelivered = frozenset(months[: rates.police_redeliveries]) if len(months) >= 2 else frozenset()
        self.world = World(seed, scale, months, redelivered)
        self.draws = self.world.draws
        self.truth = TruthWriter(truth_dir)
        self.true, self.expected = MetricCollector(), MetricCollector()
        self.summary = GenerationSummary()
        self.hub_serials: dict[str, int] = {}
        self.rj_ids = pl.DataFrame(schema={"rj_key": pl.Int64, "rj_case_id": pl.String})

    def month(self, month: Month) -> None:
        world = self.world.advance(month)
        self.truth.add_people(world.people)
        self._police(world)
        self._period(police_outcomes, police_outcomes.render(world.outcomes), month)
        self._period(uss_responses, uss_responses.render(world.interviews), month)
        self._period(court_hearings, court_hearings.render(world.hearings), month, court_hearings.encoding(month))
        self._hubs(world)
        self._vcs(world)
        self._rj(world)

    # -- feeds -------------------------------------------------------------------------------

    def _police(self, world: MonthWorld) -> None:
        month = world.month
        if world.first_delivery_victims is None:
            self._period(police_crimes, police_crimes.render(world.victims), month)
            return
        first = self._period(police_crimes, police_crimes.render(world.first_delivery_victims), month, collect=False)
        if first is None:
            self._period(police_crimes, police_crimes.render(world.victims), month)
            return
        # The sender corrects some of the first delivery's defects; the others are sent again.
        defective = first.delivery.defects.select("_rid").unique().sort("_rid")
        corrected = defective.filter(self.draws.bernoulli("_rid", "v2.corrected", self.rates.v2_correction_share))["_rid"]
        self._period(police_crimes, police_crimes.render(world.victims), month, version=2, excluded=corrected)
        self.truth.supersede(first.ctx.file_name)

    def _hubs(self, world: MonthWorld) -> None:
        month = world.month
        for borough in sorted(HUB_BOROUGHS):
            referrals = world.hub_referrals.filter(pl.col("borough_code") == borough).sort("date_received", "hub_key")
            if referrals.is_empty():
                continue
            first = self.hub_serials.get(borough, 0) + 1
            self.hub_serials[borough] = first + referrals.height - 1
            serials = pl.int_range(first, first + referrals.height, eager=True).cast(pl.String).str.zfill(5)
            ids = (HUB_BOROUGHS[borough] + "-" + serials).alias("referral_id")
            clean = council_hub.render(referrals, ids)
            ctx = FileContext(council_hub.FEED, council_hub.file_name(borough, month), period=month)
            delivered = deliver_file(council_hub, clean, ctx, self.rates, self.draws)
            blank_rows = 0
            if self.draws.python(f"xlsx.blank.{ctx.file_name}").random() < self.rates.trailing_blank_rows:
                blank_rows = self.draws.python(f"xlsx.blank.n.{ctx.file_name}").randint(1, 5)
            writers.write_xlsx(
                self.landing / council_hub.FEED / ctx.file_name, delivered.frame, council_hub.COLUMNS, council_hub.SHEET,
                council_hub.DATES, self.draws, blank_rows,
            )
            self._register(delivered, council_hub.record_key(borough), month.start, None, None)
            self.true.hub(delivered.true, borough)
            self.expected.hub(delivered.expected, borough)

    def _vcs(self, world: MonthWorld) -> None:
        day = world.month.end
        if world.vcs_cases.is_empty():
            self.progress(f"{probation_vcs.FEED} {day}: no cases, no snapshot")
            return
        ctx = FileContext(probation_vcs.FEED, probation_vcs.file_name(day), snapshot_date=day)
        delivered = deliver_file(probation_vcs, probation_vcs.render(world.vcs_cases), ctx, self.rates, self.draws)
        writers.write_jsonl(
            self.landing / probation_vcs.FEED / ctx.file_name, delivered.frame, probation_vcs.COLUMNS,
            booleans=("eligible", "victim_opted_in"), integers=("sentence.custodial_months",),
        )
        self._register(delivered, probation_vcs.record_key(), None, day, "utf-8")
        self.true.vcs_snapshot(delivered.true)
        self.expected.vcs_snapshot(delivered.expected)

    def _rj(self, world: MonthWorld) -> None:
        day = world.month.end
        if world.rj_cases.is_empty():
            self.progress(f"{rj_cases.FEED} {day}: no cases, no snapshot")
            return
        cases = world.rj_cases.sort("referral_date", "rj_key")
        new = cases.join(self.rj_ids, on="rj_key", how="anti").sort("referral_date", "rj_key").select("rj_key")
        first = self.rj_ids.height + 1
        new = new.with_columns(rj_case_id=pl.concat_str(pl.lit("RJL-"), pl.int_range(first, first + new.height).cast(pl.String).str.zfill(6)))
        self.rj_ids = pl.concat([self.rj_ids, new])
        cases = cases.join(self.rj_ids, on="rj_key", how="left", maintain_order="left")
        ctx = FileContext(rj_cases.FEED, rj_cases.file_name(day), snapshot_date=day)
        delivered = deliver_file(rj_cases, rj_cases.render(cases), ctx, self.rates, self.draws)
        writers.write_csv(self.landing / rj_cases.FEED / ctx.file_name, delivered.frame, rj_cases.COLUMNS)
        self._register(delivered, rj_cases.record_key(), None, day, "utf-8")
        self.true.rj_snapshot(delivered.true, day)
        self.expected.rj_snapshot(delivered.expected, day)

    # -- shared ------------------------------------------------------------------------------

    def _period(self, feed, clean: pl.DataFrame, month: Month, encoding: str = "utf-8", *,
                version: int = 1, excluded: pl.Series | None = None, collect: bool = True) -> DeliveredFile | None:
        """Deliver and write one CSV of a period feed; `collect=False` for a version that will be
        superseded (its rows never reach the metrics)."""
        if clean.is_empty():
            self.progress(f"{feed.FEED} {month.label}: no records, no file")
            return None
        ctx = FileContext(feed.FEED, feed.file_name(month, version), period=month, version=version)
        delivered = deliver_file(feed, clean, ctx, self.rates, self.draws, excluded)
        writers.write_csv(self.landing / feed.FEED / ctx.file_name, delivered.frame, feed.COLUMNS, encoding)
        self._register(delivered, feed.record_key(), month.start, None, encoding)
        if collect:
            method = _COLLECT[feed.FEED]
            getattr(self.true, method)(delivered.true)
            getattr(self.expected, method)(delivered.expected)
        return delivered

    def _register(self, delivered: DeliveredFile, record_key: pl.Expr, period_month, snapshot_date, encoding: str | None) -> None:
        """Record a written file in the truth, the metric collectors and the summary (`encoding`
        is the text encoding of a CSV or JSONL file, None for a workbook)."""
        ctx = delivered.ctx
        self.truth.add_records(delivered.records(record_key))
        self.truth.add_defects(delivered.defects(record_key))
        self.truth.add_file(
            feed=ctx.feed, file_name=ctx.file_name, period_month=period_month, snapshot_date=snapshot_date,
            version=ctx.version, rows=delivered.rows, expected_status="loaded", encoding=encoding,
        )
        delivery_month = (period_month or snapshot_date.replace(day=1))
        self.true.delivery(ctx.feed, delivery_month, delivered.clean_rows, 0)
        self.expected.delivery(ctx.feed, delivery_month, delivered.rows, delivered.quarantined)
        self.summary.files[ctx.feed] += 1
        self.summary.rows[ctx.feed] += delivered.rows
        self.progress(f"{ctx.feed} {ctx.file_name}: {delivered.rows:,} rows, {delivered.delivery.defects.height:,} defects")

    def finish(self, arguments: dict) -> None:
        months = [m.start for m in self.months]
        metrics = combine(self.true.metrics(months), self.expected.metrics(months))
        files = self.truth.files
        manifest = {
            "arguments": arguments,
            "seed": arguments["seed"],
            "defect_rates": self.rates.as_dict(),
            "files": files.select("feed", "file_name", "rows", "expected_status").to_dicts(),
            "rows_per_feed": dict(self.summary.rows),
            "files_per_feed": dict(self.summary.files),
        }
        self.truth.close(metrics, manifest)


def generate(
    landing_dir: Path,
    truth_dir: Path,
    *,
    start: str = "2025-01",
    months: int = 3,
    scale: float = 0.05,
    seed: int = 42,
    defects: DefectRates = DefectRates(),
    progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Write every synthetic feed's extracts under `landing_dir/<feed>/` and the ground truth
    into `truth_dir` (beside the landing folder, never inside it)."""
    began = time.perf_counter()
    landing_dir, truth_dir = Path(landing_dir), Path(truth_dir)
    if truth_dir.resolve().is_relative_to(landing_dir.resolve()):
        raise ValueError("the ground truth must not be written inside the landing folder, where it would be taken for a delivery")
    run = _Run(landing_dir, truth_dir, window(start, months), scale, seed, defects, progress or (lambda message: None))
    for month in run.months:
        run.month(month)
    arguments = {"start": start, "months": months, "scale": scale, "seed": seed}
    run.finish(arguments)
    run.summary.elapsed_seconds = time.perf_counter() - began
    return run.summary

