"""Read a delivery file into an all-text Polars frame with normalised column names.

Every value stays text here: typing is validation's job, so that a malformed value can be
reported as it was received (rather than silently becoming null at read time).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW_NUMBER = "_row_number"


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message is the registry's rejection reason."""


@dataclass
class ReadResult:
    frame: pl.DataFrame  # text columns named as in the contract, plus ROW_NUMBER (1 = first data row)
    warnings: list[str] = field(default_factory=list)


def normalise_header(name: str) -> str:
    """extracts.md: trim, lower-case, spaces and hyphens to '_'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def decode(raw: bytes, file_name: str) -> tuple[str, list[str]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"{file_name} is neither UTF-8 nor Windows-1252 (first bad byte at offset "
                f"{utf8_error.start}); ask the sender to re-export it as UTF-8."
            ) from None
        return text, [f"not valid UTF-8 (first bad byte at offset {utf8_error.start}); decoded as Windows-1252"]


def read_csv(path: Path) -> ReadResult:
    text, warnings = decode(path.read_bytes(), path.name)
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.NoDataError:
        raise UnreadableFile(f"{path.name} is empty (no header row).") from None
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(f"{path.name} is not a readable CSV file: {str(error).splitlines()[0]}") from None
    return _tidy(frame, path.name, warnings)


def _tidy(frame: pl.DataFrame, file_name: str, warnings: list[str]) -> ReadResult:
    names = [normalise_header(n) for n in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UnreadableFile(f"{file_name} has repeated column headers after normalising: {', '.join(repeated)}.")
    frame = frame.rename(dict(zip(frame.columns, names))).with_row_index(ROW_NUMBER, offset=1)
    text_columns = [c for c in frame.columns if c != ROW_NUMBER]
    blank_row = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in text_columns])
    # Trailing blank rows are accepted without fuss; blank rows between records are data rows
    # (they fail the required-field checks and are quarantined).
    last_data_row = frame.filter(~blank_row).select(pl.col(ROW_NUMBER).max()).item()
    frame = frame.filter(pl.col(ROW_NUMBER) <= (last_data_row or 0))
    return ReadResult(frame, warnings)
