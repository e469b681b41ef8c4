"""Find delivery files in the landing folder and say which feed, period and version each is."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas.contract import FeedContract

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    path: Path
    relative_path: str  # '<feed folder>/<file name>'
    folder: str
    file_name: str
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class Delivery:
    """What a file's name says it is, under its feed's contract."""

    feed: str
    period_month: date | None
    snapshot_date: date | None
    version: int


def list_landing_files(landing_dir: Path) -> list[LandedFile]:
    """Every regular file one level below a feed folder; hidden files (editor/OS litter) skipped."""
    files = []
    if not landing_dir.is_dir():
        return files
    for path in sorted(landing_dir.glob("*/*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            files.append(LandedFile(path, f"{path.parent.name}/{path.name}", path.parent.name,
                                    path.name, stat.st_size, stat.st_mtime_ns))
    for path in sorted(landing_dir.glob("*")):  # a file dropped at the top level belongs to no feed
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            files.append(LandedFile(path, path.name, "", path.name, stat.st_size, stat.st_mtime_ns))
    return files


def identify(file: LandedFile, contracts: dict[str, FeedContract]) -> Delivery | None:
    """The file's delivery, or None when its name matches no feed's pattern in its folder."""
    contract = contracts.get(file.folder)
    if contract is None:
        return None
    match = contract.file_pattern.match(file.file_name)
    if match is None:
        return None
    parts = match.groupdict()
    period = date.fromisoformat(parts["period"] + "-01") if parts.get("period") else None
    snapshot = date.fromisoformat(parts["snapshot"]) if parts.get("snapshot") else None
    return Delivery(contract.feed, period, snapshot, int(parts.get("version") or 1))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
