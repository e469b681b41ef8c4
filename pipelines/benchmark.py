"""`mopac benchmark`: a build timed stage by stage against its practical floor. A measurement, never a test.

For a synthetic world of N months at a scale (generated untimed), in one run:

1. the floor: DuckDB loading the files the build ingests (those of feeds with a contract) straight
   into tables, in a fresh process (pipelines/benchmark_floor.py): wall seconds and peak RSS;
2. the first build of the N months: `mopac build` as a subprocess, its wall seconds per stage
   (start-up until the first step starts; each ingest asset `raw/<feed>`; the other steps and
   Dagster's work between steps; dbt; publish; finish: the summary and exit) read from the run's
   step events in the Dagster instance, and the peak resident memory of the build process and of
   its dbt child (polling /proc/<pid>/status);
3. one new month on top of the N: the world is generated with N+1 months and its first N months
   are built first (2), then the last month's files are copied into the landing folder and the
   second build is timed the same way, with the floor of the new files. (The generator's first N
   months are not byte-identical to an N-month world's, so one world is cut by month instead of
   generating twice.)
4. the same on a 1-month warehouse (a 2-month world), for the ratio of (3) to it.

A new month is built `repeats` times from the same starting state (the warehouse and the Dagster
instance are copied before the first and put back before each other; the landing folder stays as
it is, so the registry still knows its files) and the build of median wall time is reported: on
this machine one build of the same work varies by up to 1.5x, too much for a ratio of two single
builds to mean anything. Every timed step starts after `sync`, so that the disk's write-back of
what the step before wrote is not billed to it.

Stages come from the definitions (pipelines/stages.py), files from the contracts: a feed whose
contract lands is measured without changes here.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.settings import PROJECT_ROOT

STARTUP, OTHER, FINISH, TOTAL = "start-up", "other steps, between steps", "finish (summary, exit)", "total"
STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE")
BENCHMARK_KEY = "benchmark-key-not-secret"
POLL_SECONDS = 0.05


# --- pure helpers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunEvent:
    """What the stage timings need of one Dagster event."""

    timestamp: float
    step_key: str | None
    kind: str | None
    rows_received: int = 0  # from an ingest asset's materialisation metadata


@dataclass
class Stage:
    name: str
    seconds: float
    intervals: list[tuple[float, float]] = field(default_factory=list, repr=False)
    peak_mb: float | None = None
    floor_seconds: float | None = None


def stages_from_events(events: Iterable[RunEvent], launched: float, ended: float,
                       stages_by_step: dict[str, str]) -> list[Stage]:
    """Wall seconds per stage of a build launched and ended at these times: start-up until the first
    step starts, each named stage (the sum of its steps, in the order they started), the other steps
    together with Dagster's work between steps, and the finish after the last step. They add up to the
    wall time."""
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    for event in events:
        if event.step_key is None:
            continue
        if event.kind == "STEP_START":
            starts[event.step_key] = event.timestamp
        elif event.kind in STEP_ENDS:
            ends[event.step_key] = event.timestamp
    first = min(starts.values(), default=ended)
    last = max([ends.get(step, ended) for step in starts], default=first)
    named: dict[str, Stage] = {}
    for step, began in sorted(starts.items(), key=lambda item: item[1]):
        name = stages_by_step.get(step)
        if name is None:
            continue
        stage = named.setdefault(name, Stage(name, 0.0))
        stage.intervals.append((began, ends.get(step, ended)))
        stage.seconds += ends.get(step, ended) - began
    other = Stage(OTHER, (last - first) - sum(s.seconds for s in named.values()), [(first, last)])
    return [Stage(STARTUP, first - launched, [(launched, first)]), *named.values(), other,
            Stage(FINISH, ended - last, [(last, ended)])]


def median_build(builds: list[BuildMeasurement]) -> BuildMeasurement:
    """The build of median wall time (the slower middle one of an even count), knowing every build's."""
    walls = [b.wall_seconds for b in builds]
    median = sorted(builds, key=lambda b: b.wall_seconds)[len(builds) // 2]
    median.repeat_wall_seconds = walls
    return median


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_table(rows: list[Stage], total: Stage) -> str:
    """stage | seconds | peak MB | floor s, one row per stage and a total."""
    width = max(len(r.name) for r in [*rows, total])
    lines = [f"{'stage':<{width}}  {'seconds':>8}  {'peak MB':>8}  {'floor s':>8}"]
    for row in [*rows, total]:
        lines.append(f"{row.name:<{width}}  {_cell(row.seconds):>8}  {_cell(row.peak_mb, 0):>8}  "
                     f"{_cell(row.floor_seconds):>8}")
    return "\n".join(lines)


# --- measuring -----------------------------------------------------------------------------------

def _status_kb(pid: int) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, amount = line.split(":", 1)
                    values[key] = int(amount.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return values


def _children(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


@dataclass
class Memory:
    """A process's memory, polled until it exits: samples of (time, own RSS, its descendants' RSS) in
    KiB, and the peak (VmHWM) of it and of each descendant program. A child between fork and exec still
    shows its parent's command and pages: it is not counted (its pages are the parent's)."""

    samples: list[tuple[float, int, int]] = field(default_factory=list)
    peak_kb: int = 0
    child_peaks_kb: dict[str, int] = field(default_factory=dict)  # "<pid> <command>" -> VmHWM

    def poll(self, pid: int) -> None:
        own = _status_kb(pid)
        if not own:
            return
        self.peak_kb = max(self.peak_kb, own.get("VmHWM", 0))
        command = _cmdline(pid)
        descendants, todo = [], _children(pid)
        while todo:
            child = todo.pop()
            descendants.append(child)
            todo += _children(child)
        children_rss = 0
        for child in descendants:
            child_command = _cmdline(child)
            status = _status_kb(child)
            if not status or not child_command or child_command == command:
                continue
            children_rss += status.get("VmRSS", 0)
            key = f"{child} {child_command.strip()}"
            self.child_peaks_kb[key] = max(self.child_peaks_kb.get(key, 0), status.get("VmHWM", 0))
        self.samples.append((time.time(), own.get("VmRSS", 0), children_rss))

    def peak_mb_between(self, began: float, ended: float) -> float | None:
        within = [rss for t, rss, _ in self.samples if began <= t <= ended]
        return max(within) / 1024 if within else None

    @property
    def dbt_peak_mb(self) -> float | None:
        """The largest `dbt build` process (dagster-dbt also runs a short `dbt --version`)."""
        peaks = [kb for key, kb in self.child_peaks_kb.items() if "dbt" in key and " build" in key]
        return max(peaks) / 1024 if peaks else None

    @property
    def combined_peak_mb(self) -> float | None:
        return max((own + children for _, own, children in self.samples), default=0) / 1024 or None


def run_polled(command: list[str], *, env: dict[str, str], output: Path) -> tuple[float, float, int, Memory]:
    """Run `command`, polling its memory; (launched, ended, exit code, memory)."""
    memory = Memory()
    with open(output, "w") as out:
        launched = time.time()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while process.poll() is None:
            memory.poll(process.pid)
            time.sleep(POLL_SECONDS)
        ended = time.time()
    return launched, ended, process.returncode, memory


@dataclass
class World:
    """A landing folder, its warehouse and its Dagster instance, under one folder."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        return self.root / "ground_truth"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "MOPAC_LANDING_DIR": str(self.landing), "MOPAC_WAREHOUSE_DIR": str(self.warehouse),
                "MOPAC_DAGSTER_DIR": str(self.dagster), "DAGSTER_HOME": str(PROJECT_ROOT),
                "MOPAC_PSEUDONYM_KEY": os.environ.get("MOPAC_PSEUDONYM_KEY") or BENCHMARK_KEY}


def ingested_files(landing: Path, only: set[Path] | None = None) -> list[dict[str, str]]:
    """The files a build ingests: those whose name matches the contract of their feed's folder."""
    from pipelines.ingest.landing import identify, list_landing_files
    from schemas.contract import load_contracts

    contracts = load_contracts()
    files = []
    for landed in list_landing_files(landing):
        delivery = identify(landed, contracts)
        if delivery is not None and (only is None or landed.path in only):
            contract = contracts[delivery.feed]
            files.append({"feed": delivery.feed, "format": contract.format, "path": str(landed.path),
                          **({"sheet": contract.sheet} if getattr(contract, "sheet", None) else {})})
    return files


def measure_floor(files: list[dict[str, str]], scratch: Path) -> dict:
    """DuckDB loading `files` straight into tables, in a fresh process: its wall seconds, loading
    seconds per feed and peak RSS."""
    scratch.mkdir(parents=True, exist_ok=True)
    database = scratch / "floor.duckdb"
    for old in scratch.glob("floor.duckdb*"):
        old.unlink()
    spec, result = scratch / "floor-spec.json", scratch / "floor-result.json"
    spec.write_text(json.dumps({"database": str(database), "files": files}))
    launched, ended, code, memory = run_polled([sys.executable, "-m", "pipelines.benchmark_floor", str(spec),
                                                str(result)], env=dict(os.environ), output=scratch / "floor.out")
    if code != 0:
        raise RuntimeError(f"the floor process failed (exit {code}); see {scratch / 'floor.out'}")
    measured = json.loads(result.read_text())
    for old in scratch.glob("floor.duckdb*"):
        old.unlink()
    return {**measured, "wall_seconds": ended - launched}


def mopac_command() -> list[str]:
    script = Path(sys.executable).parent / "mopac"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from pipelines.cli import main; main()"]


def read_run_events(dagster_dir: Path) -> tuple[str, list[RunEvent]]:
    """The latest run's status and step events in the Dagster instance stored under `dagster_dir`."""
    import dagster as dg

    previous = os.environ.get("MOPAC_DAGSTER_DIR")
    os.environ["MOPAC_DAGSTER_DIR"] = str(dagster_dir)
    try:
        with dg.DagsterInstance.from_config(str(PROJECT_ROOT)) as instance:
            run = instance.get_runs(limit=1)[0]
            events = []
            for entry in instance.all_logs(run.run_id):
                kind = entry.dagster_event_type.value if entry.dagster_event_type else None
                rows = 0
                if kind == "ASSET_MATERIALIZATION":
                    materialization = entry.dagster_event.event_specific_data.materialization
                    if materialization.asset_key.path[0] == "raw" and "rows_received" in materialization.metadata:
                        rows = int(materialization.metadata["rows_received"].value)
                events.append(RunEvent(entry.timestamp, entry.step_key, kind, rows))
            return run.status.value, events
    finally:
        if previous is None:
            os.environ.pop("MOPAC_DAGSTER_DIR", None)
        else:
            os.environ["MOPAC_DAGSTER_DIR"] = previous


@dataclass
class BuildMeasurement:
    label: str
    months_before: int
    months_after: int
    new_files: int
    exit_code: int
    run_status: str
    wall_seconds: float
    stages: list[Stage]
    rows_received: int
    ingest_seconds: float
    peak_build_mb: float
    peak_dbt_mb: float | None
    peak_combined_mb: float | None
    floor: dict
    output: str
    children: dict[str, float] = field(default_factory=dict)  # child process command -> its peak MB
    linkage_seconds: float | None = None  # the dbt linkage models' own time, inside the dbt stage
    repeat_wall_seconds: list[float] = field(default_factory=list)  # every build of the same work, when repeated

    @property
    def rows_per_second(self) -> float | None:
        return ratio(self.rows_received, self.ingest_seconds)

    @property
    def build_floor_ratio(self) -> float | None:
        return ratio(self.wall_seconds, self.floor.get("wall_seconds"))

    def table(self) -> str:
        total = Stage(TOTAL, self.wall_seconds, peak_mb=self.peak_build_mb, floor_seconds=self.floor.get("wall_seconds"))
        return format_table(self.stages, total)

    def describe(self) -> str:
        dbt = f", dbt process {self.peak_dbt_mb:,.0f} MB" if self.peak_dbt_mb else ""
        both = f", both at once {self.peak_combined_mb:,.0f} MB" if self.peak_combined_mb else ""
        failed = "" if self.exit_code == 0 else f"\n  the build exited {self.exit_code} (run {self.run_status}): see {self.output}"
        floor = f" (floor {self.floor['peak_rss_mb']:,.0f} MB)" if self.floor.get("peak_rss_mb") else ""
        linkage = f"; linkage {self.linkage_seconds:.1f} s of the dbt stage" if self.linkage_seconds is not None else ""
        repeats = (f"\n  the median of {len(self.repeat_wall_seconds)} builds from the same state, which took "
                   f"{', '.join(_cell(s) for s in self.repeat_wall_seconds)} s" if len(self.repeat_wall_seconds) > 1 else "")
        return (f"{self.label}: {self.new_files} new file(s) ingested, {self.rows_received:,} rows received{linkage}{repeats}\n"
                f"{self.table()}\n"
                f"  ingestion {_cell(self.rows_per_second, 0)} rows/s; build/floor {_cell(self.build_floor_ratio)}x; "
                f"peak memory: build process {self.peak_build_mb:,.0f} MB{dbt}{both}{floor}{failed}")

    def as_json(self) -> dict:
        data = asdict(self)
        data["stages"] = [{k: v for k, v in asdict(s).items() if k != "intervals"} for s in self.stages]
        data.update(rows_per_second=self.rows_per_second, build_floor_ratio=self.build_floor_ratio)
        return data


def measure_build(world: World, label: str, months_before: int, months_after: int, new_files: list[dict],
                  scratch: Path, echo: Callable[[str], None]) -> BuildMeasurement:
    from pipelines.stages import stages_by_step

    os.sync()
    floor = measure_floor(new_files, scratch) if new_files else {"feeds": {}, "wall_seconds": None}
    os.sync()
    slug = label.replace(" ", "-").replace(",", "")
    echo(f"  {label}: floor {_cell(floor.get('wall_seconds'))} s; building (load {_load()})...")
    launched, ended, code, memory = run_polled([*mopac_command(), "build"], env=world.environment(),
                                               output=world.root / f"{slug}.out")
    status, events = read_run_events(world.dagster)
    stages = stages_from_events(events, launched, ended, stages_by_step())
    floor_feeds = floor.get("feeds", {})
    for stage in stages:
        stage.peak_mb = max([m for a, b in stage.intervals if (m := memory.peak_mb_between(a, b)) is not None],
                            default=None)
        if stage.name == STARTUP and floor.get("wall_seconds") is not None:
            stage.floor_seconds = floor["wall_seconds"] - floor["load_seconds"]
        elif stage.name.startswith("ingest "):
            feed = stage.name.removeprefix("ingest ")
            stage.floor_seconds = floor_feeds.get(feed, {}).get("seconds")
    ingest = [s for s in stages if s.name.startswith("ingest ")]
    return BuildMeasurement(label, months_before, months_after, len(new_files), code, status, ended - launched, stages,
                            sum(e.rows_received for e in events), sum(s.seconds for s in ingest),
                            memory.peak_kb / 1024, memory.dbt_peak_mb, memory.combined_peak_mb, floor,
                            str(world.root / f"{slug}.out"),
                            {key[:160]: kb / 1024 for key, kb in memory.child_peaks_kb.items()},
                            linkage_seconds(world.warehouse / "dbt" / "run_results.json"))


LINKAGE_MODELS = "model.mopac_warehouse.int_linkage__"


def linkage_seconds(run_results: Path) -> float | None:
    """Seconds the linkage models (int_linkage__*) ran in the dbt invocation that wrote run_results.json."""
    if not run_results.is_file():
        return None
    results = json.loads(run_results.read_text())["results"]
    times = [r["execution_time"] for r in results if r["unique_id"].startswith(LINKAGE_MODELS)]
    return sum(times) if times else None


def files_by_month(truth: Path) -> dict[str, list[str]]:
    """The generated files (`<feed>/<file name>`) by the month of their period or snapshot date, from
    the ground truth's files.parquet."""
    import polars as pl

    files = pl.read_parquet(truth / "files.parquet")
    by_month: dict[str, list[str]] = {}
    for feed, name, period, snapshot in files.select("feed", "file_name", "period_month", "snapshot_date").iter_rows():
        month = (period or snapshot).strftime("%Y-%m")
        by_month.setdefault(month, []).append(f"{feed}/{name}")
    return dict(sorted(by_month.items()))


@contextmanager
def restorable(world: World) -> Iterator[Callable[[], None]]:
    """The world's warehouse and Dagster instance copied as they are now, and a function that puts the
    copy back. The landing folder is left alone: copying its files would change their change times,
    and the registry would no longer know them."""
    saved = world.root / "saved-state"
    parts = [world.warehouse, world.dagster]
    for part in parts:
        shutil.copytree(part, saved / part.name, symlinks=True)  # the published Parquet is a relative link

    def restore() -> None:
        for part in parts:
            shutil.rmtree(part)
            shutil.copytree(saved / part.name, part, symlinks=True)

    try:
        yield restore
    finally:
        shutil.rmtree(saved, ignore_errors=True)


def copy_files(source_landing: Path, names: list[str], landing: Path) -> list[Path]:
    copied = []
    for name in names:
        target = landing / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_landing / name, target)
        copied.append(target)
    return copied


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run_benchmark(*, months: int, scale: float, seed: int, start: str, keep: Path | None, defect_scale: float,
                  against: int = 1, repeats: int = 3, echo: Callable[[str], None] = print) -> dict:
    """Build `months` months and add one (`repeats` times from the same state, the median kept); the
    same on an `against`-month warehouse gives the ratio."""
    from pipelines.synthetic import DefectRates, generate

    defects = DefectRates.none() if defect_scale == 0 else DefectRates().scaled(defect_scale)
    with tempfile.TemporaryDirectory(prefix="mopac-benchmark-") as temporary:
        root = (keep or Path(temporary)).resolve()
        root.mkdir(parents=True, exist_ok=True)
        report = {"months": months, "against_months": against, "repeats": repeats, "scale": scale, "seed": seed, "start": start, "defect_scale": defect_scale,
                  "cpus": os.cpu_count(), "load_at_start": list(os.getloadavg()), "builds": []}
        echo(f"Benchmark: {months} month(s) from {start} at scale {scale} (seed {seed}) in {root}; "
             f"{os.cpu_count()} CPUs, load {_load()}")

        def first_and_next_month(n: int) -> tuple[BuildMeasurement, BuildMeasurement]:
            """Build the first n months of an (n + 1)-month world, then add its last month and build again.
            (One world, cut by month: the generator's first n months differ when it generates n + 1.)"""
            source = World(root / f"generated-{n + 1}-months")
            echo(f"  generating {n + 1} months (untimed)...")
            generate(source.landing, source.truth, start=start, months=n + 1, scale=scale, seed=seed, defects=defects)
            by_month = list(files_by_month(source.truth).values())
            world = World(root / f"warehouse-{n}-months")
            earlier = copy_files(source.landing, [f for names in by_month[:n] for f in names], world.landing)
            first = measure_build(world, f"first build of {n} month(s)", 0, n,
                                  ingested_files(world.landing, only=set(earlier)), world.root / "floor", echo)
            echo(first.describe())
            later = copy_files(source.landing, [f for names in by_month[n:] for f in names], world.landing)
            new_files = ingested_files(world.landing, only=set(later))
            builds = []
            with restorable(world) as restore:
                for attempt in range(repeats):
                    if attempt:
                        restore()
                    builds.append(measure_build(world, f"one new month on {n}", n, n + 1, new_files,
                                                world.root / "floor", echo))
            added = median_build(builds)
            echo(added.describe())
            return first, added

        first, incremental = first_and_next_month(months)
        builds = [first, incremental]
        if months == against:
            on_smaller = incremental
        else:
            base, on_smaller = first_and_next_month(against)
            builds += [base, on_smaller]
        report["builds"] = [b.as_json() for b in builds]
        report["incremental_ratio"] = ratio(incremental.wall_seconds, on_smaller.wall_seconds)
        report["load_at_end"] = list(os.getloadavg())
        echo(f"One new month on {months} month(s) costs {_cell(report['incremental_ratio'], 2)}x one new month on "
             f"{against} ({_cell(incremental.wall_seconds)} s vs {_cell(on_smaller.wall_seconds)} s); load at the end "
             f"{_load()}")
        if keep:
            echo(f"Kept: {root} (worlds, build outputs and logs)")
        return report
