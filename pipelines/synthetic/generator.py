"""`generate`: a synthetic London's extracts in the landing folder and its ground truth beside it.

The world is advanced one month at a time; each month's files are delivered (defects injected,
validated, logged), written, and reduced to the small inputs the metrics need, so memory stays
bounded for long runs. Everything random is keyed on the seed (see draws.py), so the same
arguments give byte-identical files.

Re-deliveries (see "Re-deliveries" in pipelines/synthetic/__init__.py): `_v2`s of police_crimes
and court_hearings months, both versions in the landing folder; the latest rj_cases snapshot
re-sent under the same name, its new bytes under `<truth>/resent/`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.synthetic.defect_rates import DefectRates
from pipelines.synthetic.defects.engine import DUPLICATE_ROW
from pipelines.synthetic.delivery import DeliveredFile, deliver_file, resend_file
from pipelines.synthetic.feeds import council_hub, court_hearings, police_crimes, police_outcomes, probation_vcs, rj_cases, uss_responses
from pipelines.synthetic.feeds.contract import FileContext
from pipelines.synthetic.metrics.collector import MetricCollector, combine
from pipelines.synthetic.months import Month, window
from pipelines.synthetic.output import writers
from pipelines.synthetic.output.truth import RESENT_DIR, TruthWriter
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
        several = len(months) >= 2
        redelivered = frozenset(months[: rates.police_redeliveries]) if several else frozenset()
        courts_redelivered = frozenset(months[1 : 1 + rates.court_redeliveries]) if several else frozenset()
        self.rj_resent_cases = rates.rj_resent_cases if several else 0
        self.world = World(seed, scale, months, redelivered, courts_redelivered)
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
        self._courts(world)
        self._hubs(world)
        self._vcs(world)
        self._rj(world)

    # -- feeds -------------------------------------------------------------------------------

    def _police(self, world: MonthWorld) -> None:
        first = police_crimes.render(world.first_delivery_victims) if world.first_delivery_victims is not None else None
        self._versions(police_crimes, first, police_crimes.render(world.victims), world.month, "utf-8", "v2.corrected")

    def _courts(self, world: MonthWorld) -> None:
        first = court_hearings.render(world.first_delivery_hearings) if world.first_delivery_hearings is not None else None
        self._versions(court_hearings, first, court_hearings.render(world.hearings), world.month,
                       court_hearings.encoding(world.month), "v2.corrected.court_hearings")

    def _versions(self, feed, first: pl.DataFrame | None, current: pl.DataFrame, month: Month, encoding: str,
                  correction_stream: str) -> None:
        """A period file, or (`first` given) a first version superseded by a `_v2` of `current`."""
        delivered = self._period(feed, first, month, encoding, collect=False) if first is not None else None
        if delivered is None:
            self._period(feed, current, month, encoding)
            return
        # The sender corrects some of the first delivery's defects; the others are sent again.
        defective = delivered.delivery.defects.select("_rid").unique().sort("_rid")
        corrected = defective.filter(self.draws.bernoulli("_rid", correction_stream, self.rates.v2_correction_share))["_rid"]
        self._period(feed, current, month, encoding, version=2, excluded=corrected)
        self.truth.supersede(delivered.ctx.file_name)

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
            path = self.landing / council_hub.FEED / ctx.file_name
            writers.write_xlsx(
                path, delivered.frame, council_hub.COLUMNS, council_hub.SHEET, council_hub.DATES, self.draws, blank_rows,
            )
            self._register(delivered, path, council_hub.record_key(borough), month.start, None, None)
            self.true.hub(delivered.true, borough)
            self.expected.hub(delivered.expected, borough)

    def _vcs(self, world: MonthWorld) -> None:
        day = world.month.end
        if world.vcs_cases.is_empty():
            self.progress(f"{probation_vcs.FEED} {day}: no cases, no snapshot")
            return
        ctx = FileContext(probation_vcs.FEED, probation_vcs.file_name(day), snapshot_date=day)
        delivered = deliver_file(probation_vcs, probation_vcs.render(world.vcs_cases), ctx, self.rates, self.draws)
        path = self.landing / probation_vcs.FEED / ctx.file_name
        writers.write_jsonl(
            path, delivered.frame, probation_vcs.COLUMNS,
            booleans=("eligible", "victim_opted_in"), integers=("sentence.custodial_months",),
        )
        self._register(delivered, path, probation_vcs.record_key(), None, day, "utf-8")
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
        clean = rj_cases.render(cases)
        delivered = deliver_file(rj_cases, clean, ctx, self.rates, self.draws)
        path = self.landing / rj_cases.FEED / ctx.file_name
        writers.write_csv(path, delivered.frame, rj_cases.COLUMNS)
        self._register(delivered, path, rj_cases.record_key(), None, day, "utf-8")
        if world.month == self.months[-1] and self.rj_resent_cases:
            resent = self._resend_rj(delivered, clean)
            if resent is None:
                self.progress(f"{rj_cases.FEED} {ctx.file_name}: no defect to correct, not re-sent")
            delivered = resent or delivered
        self.true.rj_snapshot(delivered.true, day)
        self.expected.rj_snapshot(delivered.expected, day)

    def _resend_rj(self, original: DeliveredFile, clean: pl.DataFrame) -> DeliveredFile | None:
        """The snapshot sent again under its name with `rj_resent_cases` defective cases corrected,
        written under `<truth>/resent/`; None when the snapshot has no defect to correct.

        The corrected cases are those an operator would query, so that the correction shows in the
        current state: quarantined cases first (the case is missing), then cases with a nulled
        field, then accepted variants (a value changes), then extra duplicate copies (only the row
        count changes); within each, cases referred in the window (their month has metrics). A
        defect on rj_case_id itself is never the one corrected, so a corrected case keeps its key
        and the two files differ only in that case's rows."""
        defects = original.delivery.defects.filter(pl.col("column").fill_null("") != "rj_case_id")
        if defects.is_empty():
            return None
        window_start = self.months[0].start.isoformat()
        severity = pl.col("severity").fill_null("")
        duplicate = pl.col("defect") == DUPLICATE_ROW
        tier = pl.when(duplicate).then(3).when(severity == "row").then(0).when(severity == "field").then(1).otherwise(2)
        chosen = (
            defects.group_by("_rid").agg(tier=tier.min())
            .join(clean.select("_rid", "referral_date"), on="_rid", how="left")
            .with_columns(outside_window=(pl.col("referral_date") < window_start).fill_null(True),
                          draw=self.draws.uniform("_rid", "resend.corrected"))
            .sort("tier", "outside_window", "draw", "_rid")
            .head(self.rj_resent_cases)
        )
        resent = resend_file(rj_cases, original, clean, chosen["_rid"].to_list())
        path = self.truth.dir / RESENT_DIR / rj_cases.FEED / resent.ctx.file_name
        writers.write_csv(path, resent.frame, rj_cases.COLUMNS)
        self._register(resent, path, rj_cases.record_key(), None, resent.ctx.snapshot_date, "utf-8")
        self.truth.supersede(original.ctx.file_name, original.ctx.delivery)
        return resent

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
        path = self.landing / feed.FEED / ctx.file_name
        writers.write_csv(path, delivered.frame, feed.COLUMNS, encoding)
        self._register(delivered, path, feed.record_key(), month.start, None, encoding)
        if collect:
            method = _COLLECT[feed.FEED]
            getattr(self.true, method)(delivered.true)
            getattr(self.expected, method)(delivered.expected)
        return delivered

    def _register(self, delivered: DeliveredFile, path: Path, record_key: pl.Expr, period_month, snapshot_date,
                  encoding: str | None) -> None:
        """Record a file written at `path` in the truth, the metric collectors and the summary
        (`encoding` is the text encoding of a CSV or JSONL file, None for a workbook)."""
        ctx = delivered.ctx
        self.truth.add_records(delivered.records(record_key))
        self.truth.add_defects(delivered.defects(record_key))
        data = path.read_bytes()
        self.truth.add_file(
            feed=ctx.feed, file_name=ctx.file_name, delivery=ctx.delivery, sha256=hashlib.sha256(data).hexdigest(),
            period_month=period_month, snapshot_date=snapshot_date, version=ctx.version, rows=delivered.rows,
            expected_status="loaded", expected_warning=_expected_warning(data, encoding, ctx.delivery), encoding=encoding,
        )
        delivery_month = (period_month or snapshot_date.replace(day=1))
        self.true.delivery(ctx.feed, delivery_month, delivered.clean_rows, 0)
        self.expected.delivery(ctx.feed, delivery_month, delivered.rows, delivered.quarantined)
        self.summary.files[ctx.feed] += 1
        self.summary.rows[ctx.feed] += delivered.rows
        resent = f" (re-sent under the same name, in {RESENT_DIR}/)" if ctx.delivery > 1 else ""
        self.progress(f"{ctx.feed} {ctx.file_name}{resent}: {delivered.rows:,} rows, {delivered.delivery.defects.height:,} defects")

    def finish(self, arguments: dict) -> None:
        months = [m.start for m in self.months]
        metrics = combine(self.true.metrics(months), self.expected.metrics(months))
        files = self.truth.files
        manifest = {
            "arguments": arguments,
            "seed": arguments["seed"],
            "defect_rates": self.rates.as_dict(),
            "files": files.select("feed", "file_name", "delivery", "rows", "expected_status").to_dicts(),
            "rows_per_feed": dict(self.summary.rows),
            "files_per_feed": dict(self.summary.files),
        }
        self.truth.close(metrics, manifest)


def _expected_warning(data: bytes, encoding: str | None, delivery: int) -> str | None:
    """The registry warnings extracts.md's delivery rules give a file: `windows_1252` (a text
    file that is not valid UTF-8), `same_name_new_bytes` (a name delivered before, new bytes)."""
    warnings = []
    if encoding == "cp1252":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append("windows_1252")
    if delivery > 1:
        warnings.append("same_name_new_bytes")
    return "; ".join(warnings) or None


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

