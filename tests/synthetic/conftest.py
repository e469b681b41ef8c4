"""Small generated worlds shared by the generator's tests (generated once per session)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from pipelines.synthetic import DefectRates, GenerationSummary, generate

SCALE, MONTHS, START, SEED = 0.02, 3, "2025-01", 7


@dataclass
class Generated:
    root: Path
    summary: GenerationSummary

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    def table(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.truth / f"{name}.parquet")

    def files(self, feed: str) -> list[Path]:
        """The files of `feed` in the landing folder."""
        return sorted((self.landing / feed).iterdir())

    def path(self, file: dict) -> Path:
        """Where the bytes of a files.parquet row are: the landing folder for a first delivery
        under its name, `<truth>/resent/` for the same name re-sent."""
        base = self.landing if file["delivery"] == 1 else self.truth / "resent"
        return base / file["feed"] / file["file_name"]


def _generate(root: Path, **kwargs) -> Generated:
    arguments = {"start": START, "months": MONTHS, "scale": SCALE, "seed": SEED} | kwargs
    return Generated(root, generate(root / "landing", root / "truth", **arguments))


@pytest.fixture(scope="session")
def messy(tmp_path_factory) -> Generated:
    """Default defect rates, with a re-delivered first month."""
    return _generate(tmp_path_factory.mktemp("messy"))


@pytest.fixture(scope="session")
def messy_again(tmp_path_factory) -> Generated:
    return _generate(tmp_path_factory.mktemp("messy_again"))


@pytest.fixture(scope="session")
def clean(tmp_path_factory) -> Generated:
    return _generate(tmp_path_factory.mktemp("clean"), defects=DefectRates.none())


@pytest.fixture(scope="session")
def other_seed(tmp_path_factory) -> Generated:
    return _generate(tmp_path_factory.mktemp("other_seed"), seed=SEED + 1, months=1)
