"""Load and check the declarative feed contracts in schemas/contracts/*.yaml.

A contract is everything the warehouse knows about a feed: its files (pattern, format, delivery),
its columns as delivered and as stored, the rules each value must meet, which values are personal
data, and its key. Validation, pseudonymisation, the raw tables, the dbt sources and their docs are
all derived from it; nothing about a feed is written anywhere else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from schemas.formats import FORMATS

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
FILE_FORMATS = {"csv", "jsonl", "xlsx"}
# string: text; date/timestamp/month: parsed with the column's (or feed's) date_format; yes_no: Y/N;
# boolean: true/false; integer/number: numbers (min/max); borough: a Met borough by name (gives
# borough_code); lsoa: an LSOA code, 2011 or 2021 (gives borough_code, blank outside London);
# postcode: a UK postcode.
COLUMN_TYPES = {"string", "date", "timestamp", "month", "yes_no", "boolean", "integer", "number", "borough",
                "postcode", "lsoa"}
PII_KINDS = {"identifier", "name", "date_of_birth", "postcode", "contact"}
REDUCED_TOKENS = {"name": {"initial", "soundex"}, "date_of_birth": {"unordered_day_month"}}
LOOKUPS = {"london_lsoa21"}
NORMALISERS = {"crime_ref"}  # pipelines.ingest.normalise.NORMALISERS
ABSENT_RECORDS = {"deleted", "kept"}
# The named group of a file pattern that holds the period: 'period' (YYYY-MM) for period feeds,
# 'snapshot' (YYYY-MM-DD) for snapshot feeds. Other named groups (except 'version') are further
# parts of the period's identity, e.g. a borough slug.
PERIOD_GROUPS = ("period", "snapshot")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Condition:
    """A row condition on another column: its value (case-insensitively; numerically for an integer
    column) is one of `values`."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ColumnContract:
    name: str
    type: str
    description: str
    source: str | None = None  # the header or JSON path as delivered, when it is not the name
    from_file_name: str | None = None  # the value is this named part of the file name, not a column
    required: bool = False
    required_when: Condition | None = None  # required on rows meeting the condition
    only_when: Condition | None = None  # a value is allowed only on rows meeting the condition
    # 'row' makes every finding on this column quarantine the row. Default: 'row' for required and
    # key columns, and for a required_when column on the rows its condition holds; 'field' otherwise.
    severity: str | None = None
    format: str | None = None
    normalise: str | None = None  # applied to the trimmed text before any check (NORMALISERS)
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    date_format: str | None = None  # overrides the feed's date_format
    lookup: str | None = None
    unresolved: str | None = None  # 'keep': a borough that resolves to none is kept, its code blank
    pii: str | None = None
    # Extra keyed tokens of reduced forms, for linkage: 'initial', 'soundex' (names),
    # 'unordered_day_month' (dates of birth, so a swapped day/month still matches).
    reduced_tokens: tuple[str, ...] = ()
    age_at: str | None = None  # dates of birth: the column the age band is computed at
    in_file_period: bool = False
    not_before: str | None = None  # a column name or an ISO date
    not_after: str | None = None
    bounds_check: str | None = None  # check name when not_before/not_after fail (default before_<col>/after_<col>)

    @property
    def is_pii(self) -> bool:
        return self.pii is not None

    @property
    def delivered_as(self) -> str:
        """How the sender names this column: findings use it."""
        return self.source or self.name

    @property
    def gives_borough(self) -> bool:
        return self.type in ("borough", "lsoa")


@dataclass(frozen=True)
class Unpivot:
    """A wide table (one column per period) turned long: every delivered column whose header matches
    `header_pattern` becomes a row, its header in column `name`, its value in column `value`."""

    header_pattern: str
    name: str
    value: str


@dataclass(frozen=True)
class FeedContract:
    feed: str
    title: str
    sender: str
    description: str
    delivery: str
    format: str
    file_pattern: re.Pattern[str]
    date_format: str
    key: tuple[str, ...]
    columns: tuple[ColumnContract, ...]
    period_column: str | None = None
    sheet: str | None = None  # xlsx: the worksheet holding the records
    unpivot: Unpivot | None = None
    absent_records: str = "deleted"  # snapshot feeds: what a record missing from a newer snapshot means
    # Days after a period's end (a snapshot's date) by which its file is due; None: no schedule.
    due_days: int | None = None
    column_index: dict[str, ColumnContract] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    def column(self, name: str) -> ColumnContract:
        return self.column_index[name]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required and not c.from_file_name]

    @property
    def delivered_columns(self) -> list[ColumnContract]:
        return [c for c in self.columns if not c.from_file_name]

    def date_format_of(self, column: ColumnContract) -> str:
        return column.date_format or self.date_format


def _condition(where: str, raw) -> Condition | None:
    if raw is None:
        return None
    if set(raw) != {"column", "in"}:
        raise ContractError(f"{where}: a condition is {{column: <name>, in: [values]}}")
    return Condition(raw["column"], tuple(str(v) for v in raw["in"]))


def _column(feed: str, raw: dict) -> ColumnContract:
    where = f"contract {feed}, column {raw.get('name', '?')}"
    unknown = set(raw) - set(ColumnContract.__dataclass_fields__)
    if unknown:
        raise ContractError(f"{where}: unknown fields {sorted(unknown)}")
    col = ColumnContract(**{**raw, "allowed": tuple(str(v) for v in raw.get("allowed", ())),
                            "reduced_tokens": tuple(raw.get("reduced_tokens", ())),
                            "required_when": _condition(where, raw.get("required_when")),
                            "only_when": _condition(where, raw.get("only_when"))})
    if not _IDENTIFIER.match(col.name):
        raise ContractError(f"{where}: a column name must be lower case letters, digits and '_'")
    if col.type not in COLUMN_TYPES:
        raise ContractError(f"{where}: type {col.type!r} is not one of {sorted(COLUMN_TYPES)}")
    if col.format and col.format not in FORMATS:
        raise ContractError(f"{where}: format {col.format!r} is not one of {sorted(FORMATS)}")
    if col.pii and col.pii not in PII_KINDS:
        raise ContractError(f"{where}: pii {col.pii!r} is not one of {sorted(PII_KINDS)}")
    if col.lookup and col.lookup not in LOOKUPS:
        raise ContractError(f"{where}: lookup {col.lookup!r} is not one of {sorted(LOOKUPS)}")
    if col.normalise and col.normalise not in NORMALISERS:
        raise ContractError(f"{where}: normalise {col.normalise!r} is not one of {sorted(NORMALISERS)}")
    if col.severity not in (None, "row", "field"):
        raise ContractError(f"{where}: severity must be 'row' or 'field'")
    if col.unresolved not in (None, "keep") or (col.unresolved and col.type != "borough"):
        raise ContractError(f"{where}: unresolved: keep applies to a borough column only")
    if (col.min is not None or col.max is not None) and col.type not in ("integer", "number"):
        raise ContractError(f"{where}: min and max apply to integer and number columns only")
    bad_tokens = set(col.reduced_tokens) - REDUCED_TOKENS.get(col.pii or "", set())
    if bad_tokens:
        raise ContractError(f"{where}: reduced_tokens {sorted(bad_tokens)} do not apply to pii {col.pii!r}")
    if not col.description:
        raise ContractError(f"{where}: every column needs a description")
    return col


def parse_contract(raw: dict, source: str = "<contract>") -> FeedContract:
    try:
        columns = tuple(_column(raw["feed"], c) for c in raw["columns"])
        unpivot = raw.get("unpivot")
        contract = FeedContract(
            feed=raw["feed"], title=raw["title"], sender=raw["sender"],
            description=raw["description"].strip(), delivery=raw["delivery"], format=raw["format"],
            file_pattern=re.compile(raw["file_pattern"]), date_format=raw["date_format"],
            key=tuple(raw["key"]), columns=columns, period_column=raw.get("period_column"),
            sheet=raw.get("sheet"), unpivot=Unpivot(**unpivot) if unpivot else None,
            absent_records=raw.get("absent_records", "deleted"), due_days=raw.get("due_days"),
        )
    except KeyError as missing:
        raise ContractError(f"{source}: missing field {missing}") from None
    except TypeError as problem:
        raise ContractError(f"{source}: {problem}") from None
    _check_references(contract, source)
    return contract


def _check_references(contract: FeedContract, source: str) -> None:
    names = {c.name for c in contract.columns}
    for ref in [*contract.key, *filter(None, [contract.period_column])]:
        if ref not in names:
            raise ContractError(f"{source}: {ref!r} is used as key/period but is not a column")
    groups = set(contract.file_pattern.groupindex)
    for col in contract.columns:
        for bound in (col.not_before, col.not_after):
            if bound and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bound) and bound not in names:
                raise ContractError(f"{source}, column {col.name}: bound {bound!r} is neither a column nor a date")
        for condition in (col.required_when, col.only_when):
            if condition and condition.column not in names:
                raise ContractError(f"{source}, column {col.name}: condition on {condition.column!r}, not a column")
        if col.from_file_name and col.from_file_name not in groups:
            raise ContractError(f"{source}, column {col.name}: from_file_name {col.from_file_name!r} is not a "
                                "named part of file_pattern")
    if contract.delivery not in ("period", "snapshot"):
        raise ContractError(f"{source}: delivery must be 'period' or 'snapshot'")
    if contract.format not in FILE_FORMATS:
        raise ContractError(f"{source}: format must be one of {sorted(FILE_FORMATS)}")
    if (contract.format == "xlsx") != (contract.sheet is not None):
        raise ContractError(f"{source}: an xlsx feed names its sheet, and only an xlsx feed does")
    if contract.absent_records not in ABSENT_RECORDS:
        raise ContractError(f"{source}: absent_records must be one of {sorted(ABSENT_RECORDS)}")
    if not _IDENTIFIER.match(contract.feed):
        raise ContractError(f"{source}: feed {contract.feed!r} must be lower case letters, digits and '_'")
    if sum(c.gives_borough for c in contract.columns) > 1:
        raise ContractError(f"{source}: at most one column gives the borough (type borough or lsoa)")
    expected_group = "period" if contract.delivery == "period" else "snapshot"
    if expected_group not in groups or (set(PERIOD_GROUPS) - {expected_group}) & groups:
        raise ContractError(f"{source}: a {contract.delivery} feed's file_pattern must name its date part "
                            f"(?P<{expected_group}>...) and no other of {PERIOD_GROUPS}")


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, FeedContract]:
    contracts = {}
    for path in sorted(directory.glob("*.yaml")):
        contract = parse_contract(yaml.safe_load(path.read_text()), source=str(path))
        if contract.feed != path.stem:
            raise ContractError(f"{path}: feed {contract.feed!r} must match the file name")
        contracts[contract.feed] = contract
    return contracts
