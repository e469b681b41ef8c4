"""Every setting the warehouse reads from the environment, read in one place.

Paths are relative to the working directory (the project root when run through `make` or
`dagster dev`), so one checkout can hold several independent landing/warehouse folders.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
CONTRACTS_DIR = PROJECT_ROOT / "schemas" / "contracts"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# The warehouse file's name in its folder. dbt opens it by this name alone, from that folder (see
# dbt_project/profiles.yml): the profile, which dbt's partial parsing hashes, is then the same for
# every warehouse.
WAREHOUSE_FILE_NAME = "mopac.duckdb"
# A well-known value so that dev and test runs work out of the box; refused in prod.
DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-do-not-use-in-prod"
MIN_PROD_KEY_CHARACTERS = 32
DEFAULT_MAX_ROW_FAILURE_SHARE = 0.20
# DuckDB's own default is 80% of the machine's memory: it would keep a whole delivery's inserted
# rows cached. A bound makes it spill instead, so a build's peak memory does not follow file size.
DEFAULT_DUCKDB_MEMORY_LIMIT = "256MB"
_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    pseudonym_key: str
    env: str
    max_row_failure_share: float
    duckdb_memory_limit: str

    @property
    def warehouse_db(self) -> Path:
        return self.warehouse_dir / WAREHOUSE_FILE_NAME

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target and log folder for builds of this warehouse: one folder, overwritten by each
        build, so dbt's partial parsing (target/partial_parse.msgpack) carries over between builds."""
        return self.warehouse_dir / "dbt"

    @property
    def logs_dir(self) -> Path:
        """One log file per `mopac build` (Dagster's and dbt's records in full), the last few kept."""
        return self.warehouse_dir / "logs"

    @property
    def write_lock_path(self) -> Path:
        return self.warehouse_dir / ".write.lock"

    @property
    def uses_dev_key(self) -> bool:
        return self.pseudonym_key == DEV_PSEUDONYM_KEY


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("MOPAC_ENV", "dev")
    if mode not in ("dev", "prod"):
        raise SettingsError(f"MOPAC_ENV must be 'dev' or 'prod', not {mode!r}.")
    key = env.get("MOPAC_PSEUDONYM_KEY") or DEV_PSEUDONYM_KEY
    if mode == "prod" and (key == DEV_PSEUDONYM_KEY or len(key) < MIN_PROD_KEY_CHARACTERS):
        raise SettingsError(
            "MOPAC_ENV=prod but MOPAC_PSEUDONYM_KEY is missing, set to the development default, or shorter than "
            f"{MIN_PROD_KEY_CHARACTERS} characters (a short key can be guessed, and every token with it). Set "
            "MOPAC_PSEUDONYM_KEY to the secret held by the MOPAC data protection lead; pseudonyms made with the "
            "wrong key cannot be linked to earlier loads."
        )
    share = float(env.get("MOPAC_MAX_ROW_FAILURE_SHARE", DEFAULT_MAX_ROW_FAILURE_SHARE))
    if not 0 <= share <= 1:
        raise SettingsError(f"MOPAC_MAX_ROW_FAILURE_SHARE must be between 0 and 1, not {share}.")
    memory_limit = env.get("MOPAC_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)
    if not _MEMORY_SIZE.match(memory_limit):
        raise SettingsError(f"MOPAC_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 2GB, not {memory_limit!r}.")
    return Settings(
        landing_dir=Path(env.get("MOPAC_LANDING_DIR", "data/landing")).resolve(),
        warehouse_dir=Path(env.get("MOPAC_WAREHOUSE_DIR", "data/warehouse")).resolve(),
        pseudonym_key=key,
        env=mode,
        max_row_failure_share=share,
        duckdb_memory_limit=memory_limit,
    )
