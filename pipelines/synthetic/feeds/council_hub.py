"""`council_hub`: victim care hub referrals, one workbook per hub borough and month (period feed).

Dates are held here as dd/mm/yyyy text; the writer stores most valid ones as real Excel date
cells and the rest as text, as hub staff do. The borough comes from the file name's slug, so the
record key is "<borough name>|<Referral ID>".

Handling assumed for the warehouse:
- Row-level: Referral ID blank (missing_required) or not `^[A-Z]{3}-\\d{5}$` (invalid_format);
  Date Received blank, not a date (invalid_date) or outside the file's month
  (outside_file_period); Referral Source and Crime Reported to Police outside their lists
  (not_allowed_value); duplicates and key conflicts on Referral ID.
- Field-level: Police Reference that is still not a crime reference once spaces are removed and a
  missing slash restored (nine digits -> 7 + "/" + 2) (invalid_format); Date of Birth, RJ Referral
  Date, Case Closed Date not dates (invalid_date); Needs Assessment Date not a date
  (invalid_date) or before Date Received (before_received_date); Triage Outcome outside its list
  (not_allowed_value); Postcode malformed (invalid_format).
- Accepted: Police References with stray spaces or without the slash (normalised), or with the
  wrong year digits (well-formed: it simply fails to link); name typos and nicknames.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import HUB_REPORTED, HUB_SOURCES, HUB_TRIAGE
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ROW, Contract, FileContext, Rule, allowed, canonical, dmy_date, pattern, required, unparseable, v,
)
from pipelines.synthetic.months import Month
from pipelines.synthetic.names import NICKNAMES
from pipelines.synthetic.reference import borough_names

FEED = "council_hub"
SHEET = "Referrals"
COLUMNS = (
    "Referral ID", "Date Received", "Referral Source", "Crime Reported to Police", "Police Reference", "First Name",
    "Surname", "Date of Birth", "Postcode", "Needs Assessment Date", "Triage Outcome", "RJ Referral Date",
    "Case Closed Date",
)
DATES = ("Date Received", "Date of Birth", "Needs Assessment Date", "RJ Referral Date", "Case Closed Date")


def slug(borough_code: str) -> str:
    return borough_names()[borough_code].lower().replace(" ", "-")


def file_name(borough_code: str, month: Month, version: int = 1) -> str:
    suffix = f"_v{version}" if version > 1 else ""
    return f"{slug(borough_code)}_victim_care_hub_{month.label}{suffix}.xlsx"


def record_key(borough_code: str) -> pl.Expr:
    return pl.concat_str(pl.lit(borough_names()[borough_code]), pl.lit("|"), pl.col("Referral ID").fill_null(""))


def normalised_police_reference(value: pl.Expr) -> pl.Expr:
    compact = value.str.replace_all(r"\s", "")
    return pl.when(compact.str.contains(r"^\d{9}$")).then(pl.concat_str(compact.str.slice(0, 7), pl.lit("/"), compact.str.slice(7))).otherwise(compact)


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    return {f"~{c}_date": dmy_date(c) for c in DATES} | {"~police_reference": normalised_police_reference(v("Police Reference"))}


def _rules(ctx: FileContext) -> list[Rule]:
    received = pl.col("~Date Received_date")
    return [
        required("Referral ID"),
        pattern("Referral ID", ids.HUB_REFERRAL_ID, ROW),
        required("Date Received"),
        unparseable("Date Received", "~Date Received_date", ROW),
        Rule("Date Received", "outside_file_period", ROW, received.is_not_null() & ~received.is_between(ctx.period.start, ctx.period.end)),
        required("Referral Source"),
        allowed("Referral Source", HUB_SOURCES, ROW),
        required("Crime Reported to Police"),
        allowed("Crime Reported to Police", HUB_REPORTED, ROW),
        Rule("Police Reference", "invalid_format", FIELD, pl.col("~police_reference").is_not_null() & ~pl.col("~police_reference").str.contains(ids.CRIME_REF)),
        *[unparseable(c, f"~{c}_date", FIELD) for c in DATES if c != "Date Received"],
        Rule("Needs Assessment Date", "before_received_date", FIELD, pl.col("~Needs Assessment Date_date") < received),
        allowed("Triage Outcome", HUB_TRIAGE, FIELD),
        pattern("Postcode", ids.POSTCODE, FIELD, upper=True),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("Referral ID",), rules=_rules, parsed=_parsed)


def render(referrals: pl.DataFrame, referral_ids: pl.Series) -> pl.DataFrame:
    """`referrals` of one hub and month, in file order, with their Referral IDs."""
    dmy = lambda c: pl.col(c).dt.strftime("%d/%m/%Y")  # noqa: E731
    return referrals.with_columns(referral_id=referral_ids).select(
        **{
            "Referral ID": "referral_id",
            "Date Received": dmy("date_received"),
            "Referral Source": "referral_source",
            "Crime Reported to Police": "crime_reported",
            "Police Reference": "police_reference",
            "First Name": "first_name",
            "Surname": "surname",
            "Date of Birth": dmy("date_of_birth"),
            "Postcode": "postcode",
            "Needs Assessment Date": dmy("needs_assessment_date"),
            "Triage Outcome": "triage_outcome",
            "RJ Referral Date": dmy("rj_referral_date"),
            "Case Closed Date": dmy("case_closed_date"),
        },
        _rid="hub_key",
        _order="referral_id",
        _person_id="person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    return handled.select(
        referral_id=v("Referral ID"),
        date_received="~Date Received_date",
        crime_reported=canonical("Crime Reported to Police", HUB_REPORTED),
        needs_assessment_date="~Needs Assessment Date_date",
        triage_outcome=canonical("Triage Outcome", HUB_TRIAGE),
    )


def _spaced(d, value: pl.Expr) -> pl.Expr:
    return pl.when(d.uniform(mut.KEY, "ref.space") < 0.5).then(value.str.replace("/", " / ", literal=True)).otherwise(
        pl.concat_str(value.str.slice(0, 3), pl.lit(" "), value.str.slice(3))
    )


def _wrong_year(d, value: pl.Expr) -> pl.Expr:
    year = value.str.slice(8, 2).cast(pl.Int64, strict=False)
    return pl.concat_str(value.str.slice(0, 8), ((year + 99) % 100).cast(pl.String).str.zfill(2))


def _received_is_text() -> pl.Expr:
    return mut.dmy_day_and_month_swappable(pl.col("Date Received"))


DEFECTS = [
    DefectKind("police_reference_spacing", "Police Reference", "hub_reference_mistyped", _spaced, weight=0.35),
    DefectKind("police_reference_missing_slash", "Police Reference", "hub_reference_mistyped", lambda d, x: x.str.replace("/", "", literal=True), weight=0.3),
    DefectKind("police_reference_wrong_year", "Police Reference", "hub_reference_mistyped", _wrong_year, weight=0.15),
    DefectKind("mistyped_police_reference", "Police Reference", "hub_reference_mistyped", lambda d, x: mut.drop_char(d, x, "ref.typo", keep_first=False), weight=0.2),
    DefectKind("mistyped_referral_id", "Referral ID", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "id.typo", keep_first=False)),
    DefectKind("swapped_day_month", "Date Received", "swapped_day_month", lambda d, x: mut.dmy_swap_day_month(x), _received_is_text),
    DefectKind("swapped_day_month", "Needs Assessment Date", "swapped_day_month", lambda d, x: mut.dmy_swap_day_month(x), lambda: mut.dmy_day_and_month_swappable(pl.col("Needs Assessment Date"))),
    DefectKind("date_before_received", "Needs Assessment Date", "date_before_anchor", lambda d, x: mut.dmy_shift(pl.col("Date Received"), -d.integer(mut.KEY, "assess.before", 1, 5))),
    DefectKind("invalid_code", "Referral Source", "invalid_code", lambda d, x: mut.pick(d, "source.bad", ["Police referral", "GP", "Self", "Met Police"])),
    DefectKind("invalid_code", "Triage Outcome", "invalid_code", lambda d, x: mut.pick(d, "triage.bad", ["Referred to RJ", "NFA", "Support provided", "Signposted"])),
    DefectKind("name_typo", "Surname", "name_typo", lambda d, x: mut.name_typo(d, x, "surname.typo")),
    DefectKind("nickname", "First Name", "nickname", lambda d, x: x.replace_strict(NICKNAMES, default=None), lambda: pl.col("First Name").is_in(list(NICKNAMES))),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "Surname", "key_conflict", lambda d, x: mut.name_typo(d, x, "conflict.typo")),
]
