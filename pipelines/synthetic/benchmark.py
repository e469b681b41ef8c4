"""Time the generator and report its peak memory: a measurement, never a test assertion.

    python -m pipelines.synthetic.benchmark --scale 1 --months 1
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from pipelines.synthetic import DefectRates, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--start", default="2025-01")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--clean", action="store_true", help="no defects (DefectRates.none())")
    parser.add_argument("--out", type=Path, help="keep the output here (default: a temporary folder)")
    args = parser.parse_args(argv)
    rates = DefectRates.none() if args.clean else DefectRates()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        began = time.perf_counter()
        summary = generate(out / "landing", out / "truth", start=args.start, months=args.months, scale=args.scale,
                           seed=args.seed, defects=rates)
        wall = time.perf_counter() - began
    # ru_maxrss is in kilobytes on Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(summary)
    print(f"scale {args.scale}, {args.months} month(s): wall {wall:.1f} s, "
          f"{wall / args.months:.1f} s per month, peak RSS {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
