"""Find delivery files in the landing folder, say which feed, period and version each is, and
scan each new file once (hash and the byte-level facts the readers need) without holding it."""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas.contract import PERIOD_GROUPS, FeedContract

_SCAN_CHUNK = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
# Names that uploads, editors and office suites give files that are not (yet) deliveries: a
# transfer still in progress, a lock file. They are neither registered nor read.
PARTIAL_UPLOAD_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".filepart", ".crdownload", ".download",
                           ".uploading")
NOT_A_DELIVERY_PREFIXES = (".", "~$")


@dataclass(frozen=True)
class LandedFile:
    path: Path
    relative_path: str  # '<feed folder>/<file name>'
    folder: str
    file_name: str
    size_bytes: int
    mtime_ns: int
    # Copy tools can keep a file's modification time (cp -p, rsync -t); none can keep its change time.
    ctime_ns: int


@dataclass(frozen=True)
class Delivery:
    """What a file's name says it is, under its feed's contract."""

    feed: str
    period_month: date | None
    snapshot_date: date | None
    version: int
    # The parts of the name that identify the period: the month or snapshot date, plus any other
    # named part of the contract's file pattern (a borough slug; a force and file kind), so that
    # the 32 hub files of a month never replace each other. Versions replace within one period key.
    period_key: str
    name_parts: dict[str, str]  # every named part of the file name (a column may take its value from one)


@dataclass(frozen=True)
class FileScan:
    """Byte-level facts from one streaming pass over a file (memory stays at one chunk)."""

    sha256: str
    size_bytes: int
    quote_count: int  # '"' bytes: an odd count means the file ends inside a quoted field
    ends_with_newline: bool
    first_non_utf8_offset: int | None  # None when the whole file is valid UTF-8
    first_non_utf8_line: int | None  # 1 = the header line


def is_candidate_delivery(name: str) -> bool:
    return not name.startswith(NOT_A_DELIVERY_PREFIXES) and not name.lower().endswith(PARTIAL_UPLOAD_SUFFIXES)


def list_landing_files(landing_dir: Path) -> list[LandedFile]:
    """Every regular file one level below a feed folder (and stray files at the top level, which
    belong to no feed); hidden files, lock files and partial uploads are skipped."""
    if not landing_dir.is_dir():
        return []
    files = []
    for path in [*sorted(landing_dir.glob("*/*")), *sorted(landing_dir.glob("*"))]:
        if path.is_file() and is_candidate_delivery(path.name):
            folder = path.parent.name if path.parent != landing_dir else ""
            stat = path.stat()
            files.append(LandedFile(path, f"{folder}/{path.name}" if folder else path.name, folder, path.name,
                                    stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
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
    return Delivery(contract.feed, period, snapshot, int(parts.get("version") or 1), period_key_of(parts),
                    {name: value for name, value in parts.items() if value is not None})


def period_key_of(parts: dict[str, str | None]) -> str:
    """'2025-03' for a monthly file; '2025-03 borough_slug=barnet' when the name carries more parts."""
    when = next(parts[g] for g in PERIOD_GROUPS if parts.get(g))
    others = [f"{name}={value}" for name, value in parts.items()
              if name not in (*PERIOD_GROUPS, "version") and value is not None]
    return " ".join([when, *others])


def scan_file(path: Path) -> FileScan:
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    size = quotes = newlines = 0
    bad_offset = bad_line = None
    last = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            digest.update(chunk)
            quotes += chunk.count(b'"')
            if bad_offset is None:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as error:
                    bad_offset = size + error.start
                    bad_line = newlines + chunk.count(b"\n", 0, error.start) + 1
                newlines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-1:]
    if bad_offset is None:
        try:
            utf8.decode(b"", final=True)  # a file cut inside a multi-byte character
        except UnicodeDecodeError:
            bad_offset, bad_line = size, newlines + 1
    return FileScan(digest.hexdigest(), size, quotes, last in (b"\n", b"\r"), bad_offset, bad_line)
