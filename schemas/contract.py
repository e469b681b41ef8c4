"""Load and check the declarative feed contracts in schemas/contracts/*.yaml."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from schemas.formats import FORMATS

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
# Every feed of spec/extracts.md. A folder named after one of these whose contract is not written
# yet is waiting for it: its files are left unregistered (not 'unknown'), so they load once it is.
SPEC_FEEDS = ("police_crimes", "police_outcomes", "uss_responses", "court_hearings", "probation_vcs",
              "council_hub", "rj_cases", "police_uk", "mps_recorded_crime")
COLUMN_TYPES = {"string", "date", "yes_no", "borough", "postcode"}
PII_KINDS = {"identifier", "name", "date_of_birth", "postcode", "contact"}
REDUCED_TOKENS = {"name": {"initial", "soundex"}, "date_of_birth": {"unordered_day_month"}}
LOOKUPS = {"london_lsoa21"}
# The named group of a file pattern that holds the period: 'period' (YYYY-MM) for period feeds,
# 'snapshot' (YYYY-MM-DD) for snapshot feeds. Other named groups (except 'version') are further
# parts of the period's identity, e.g. a borough slug.
PERIOD_GROUPS = ("period", "snapshot")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class ColumnContract:
    name: str
    type: str
    description: str
    required: bool = False
    format: str | None = None
    allowed: tuple[str, ...] = ()
    lookup: str | None = None
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
    column_index: dict[str, ColumnContract] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    def column(self, name: str) -> ColumnContract:
        return self.column_index[name]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _column(feed: str, raw: dict) -> ColumnContract:
    where = f"contract {feed}, column {raw.get('name', '?')}"
    unknown = set(raw) - set(ColumnContract.__dataclass_fields__)
    if unknown:
        raise ContractError(f"{where}: unknown fields {sorted(unknown)}")
    col = ColumnContract(**{**raw, "allowed": tuple(str(v) for v in raw.get("allowed", ())),
                            "reduced_tokens": tuple(raw.get("reduced_tokens", ()))})
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
    bad_tokens = set(col.reduced_tokens) - REDUCED_TOKENS.get(col.pii or "", set())
    if bad_tokens:
        raise ContractError(f"{where}: reduced_tokens {sorted(bad_tokens)} do not apply to pii {col.pii!r}")
    if not col.description:
        raise ContractError(f"{where}: every column needs a description")
    return col


def parse_contract(raw: dict, source: str = "<contract>") -> FeedContract:
    try:
        columns = tuple(_column(raw["feed"], c) for c in raw["columns"])
        contract = FeedContract(
            feed=raw["feed"], title=raw["title"], sender=raw["sender"],
            description=raw["description"].strip(), delivery=raw["delivery"], format=raw["format"],
            file_pattern=re.compile(raw["file_pattern"]), date_format=raw["date_format"],
            key=tuple(raw["key"]), columns=columns, period_column=raw.get("period_column"),
        )
    except KeyError as missing:
        raise ContractError(f"{source}: missing field {missing}") from None
    names = {c.name for c in columns}
    for ref in [*contract.key, *filter(None, [contract.period_column])]:
        if ref not in names:
            raise ContractError(f"{source}: {ref!r} is used as key/period but is not a column")
    for col in columns:
        for bound in (col.not_before, col.not_after):
            if bound and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bound) and bound not in names:
                raise ContractError(f"{source}, column {col.name}: bound {bound!r} is neither a column nor a date")
    if contract.delivery not in ("period", "snapshot"):
        raise ContractError(f"{source}: delivery must be 'period' or 'snapshot'")
    if not _IDENTIFIER.match(contract.feed):
        raise ContractError(f"{source}: feed {contract.feed!r} must be lower case letters, digits and '_'")
    expected_group = "period" if contract.delivery == "period" else "snapshot"
    groups = set(contract.file_pattern.groupindex)
    if expected_group not in groups or (set(PERIOD_GROUPS) - {expected_group}) & groups:
        raise ContractError(f"{source}: a {contract.delivery} feed's file_pattern must name its date part "
                            f"(?P<{expected_group}>...) and no other of {PERIOD_GROUPS}")
    return contract


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, FeedContract]:
    contracts = {}
    for path in sorted(directory.glob("*.yaml")):
        contract = parse_contract(yaml.safe_load(path.read_text()), source=str(path))
        if contract.feed != path.stem:
            raise ContractError(f"{path}: feed {contract.feed!r} must match the file name")
        contracts[contract.feed] = contract
    return contracts
