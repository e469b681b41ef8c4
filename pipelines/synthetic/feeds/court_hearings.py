"""`court_hearings`: HMCTS/CPS hearings, one CSV per hearing month (period feed).

Dates are dd/mm/yyyy. Files of even months (by month number) are written in Windows-1252, the
others in UTF-8; court names carry curly apostrophes either way ("Highbury Corner Magistrates’
Court"), so the same name arrives in both encodings. The second month of a run is re-delivered as
a `_v2` (world/world.py `_court_redelivery`; pipelines/synthetic/__init__.py, Re-deliveries).

Handling assumed for the warehouse:
- Row-level: hearing_id, urn blank (missing_required) or malformed (invalid_format); court_name
  blank; court_type, hearing_type outside their lists (not_allowed_value); hearing_date blank, not
  dd/mm/yyyy (invalid_date) or outside the file's month (outside_file_period); on a Trial,
  trial_outcome blank (missing_required) or outside its list (not_allowed_value); on a Cracked or
  Ineffective trial, outcome_reason blank (missing_required) or outside its list
  (not_allowed_value); duplicates and key conflicts on hearing_id.
- Field-level: victim_attended, verdict, sentence_type outside their lists (not_allowed_value);
  defendant_pnc malformed or with a wrong check letter (invalid_format); defendant_dob not
  dd/mm/yyyy (invalid_date); custodial_months not an integer 0-600 (invalid_format).
- Accepted: defendant name typos; a well-formed but wrong URN.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import (
    COURT_TYPES, CUSTODIAL_SENTENCES, HEARING_TYPES, OUTCOME_REASONS, SENTENCE_TYPES, TRIAL_OUTCOMES, VERDICTS, VICTIM_ATTENDED,
)
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ROW, Contract, FileContext, Rule, allowed, canonical, dmy_date, pattern, required, unparseable, v,
)
from pipelines.synthetic.months import Month

FEED = "court_hearings"
COLUMNS = (
    "hearing_id", "urn", "court_name", "court_type", "hearing_date", "hearing_type", "trial_outcome", "outcome_reason",
    "victim_attended", "defendant_pnc", "defendant_forename", "defendant_surname", "defendant_dob", "verdict",
    "sentence_type", "custodial_months",
)


def file_name(month: Month, version: int = 1) -> str:
    suffix = f"_v{version}" if version > 1 else ""
    return f"hmcts_hearings_{month.label}{suffix}.csv"


def encoding(month: Month) -> str:
    return "cp1252" if month.month % 2 == 0 else "utf-8"


def record_key() -> pl.Expr:
    return pl.col("hearing_id").fill_null("")


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    return {"~hearing_date_date": dmy_date("hearing_date"), "~defendant_dob_date": dmy_date("defendant_dob")}


def _rules(ctx: FileContext) -> list[Rule]:
    day = pl.col("~hearing_date_date")
    trial = v("hearing_type").str.to_uppercase() == "TRIAL"
    needs_reason = v("trial_outcome").str.to_uppercase().is_in(["CRACKED", "INEFFECTIVE"])
    months = v("custodial_months")
    return [
        required("hearing_id"),
        pattern("hearing_id", ids.HEARING_ID, ROW),
        required("urn"),
        pattern("urn", ids.URN, ROW),
        required("court_name"),
        required("court_type"),
        allowed("court_type", COURT_TYPES, ROW),
        required("hearing_date"),
        unparseable("hearing_date", "~hearing_date_date", ROW),
        Rule("hearing_date", "outside_file_period", ROW, day.is_not_null() & ~day.is_between(ctx.period.start, ctx.period.end)),
        required("hearing_type"),
        allowed("hearing_type", HEARING_TYPES, ROW),
        Rule("trial_outcome", "missing_required", ROW, trial & v("trial_outcome").is_null()),
        allowed("trial_outcome", TRIAL_OUTCOMES, ROW),
        Rule("outcome_reason", "missing_required", ROW, needs_reason & v("outcome_reason").is_null()),
        allowed("outcome_reason", OUTCOME_REASONS, ROW),
        allowed("victim_attended", VICTIM_ATTENDED, FIELD),
        Rule("defendant_pnc", "invalid_format", FIELD, v("defendant_pnc").is_not_null() & ~ids.valid_pnc(v("defendant_pnc")).fill_null(False)),
        unparseable("defendant_dob", "~defendant_dob_date", FIELD),
        allowed("verdict", VERDICTS, FIELD),
        allowed("sentence_type", SENTENCE_TYPES, FIELD),
        Rule("custodial_months", "not_allowed_value", FIELD, months.is_not_null() & ~canonical("sentence_type", SENTENCE_TYPES).is_in(list(CUSTODIAL_SENTENCES)).fill_null(False)),
        Rule("custodial_months", "invalid_format", FIELD, months.is_not_null() & ~(months.str.contains(r"^\d{1,3}$") & (months.cast(pl.Int64, strict=False) <= 600)).fill_null(False)),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("hearing_id",), rules=_rules, parsed=_parsed)


def render(hearings: pl.DataFrame) -> pl.DataFrame:
    dmy = lambda c: pl.col(c).dt.strftime("%d/%m/%Y")  # noqa: E731
    hearing_key = pl.col("crime_id") * 10 + pl.col("slot")
    return hearings.select(
        hearing_id=ids.hearing_id(hearing_key),
        urn="urn",
        court_name="court_name",
        court_type="court_type",
        hearing_date=dmy("hearing_date"),
        hearing_type="hearing_type",
        trial_outcome="trial_outcome",
        outcome_reason="outcome_reason",
        victim_attended="victim_attended",
        defendant_pnc="defendant_pnc",
        defendant_forename="defendant_forename",
        defendant_surname="defendant_surname",
        defendant_dob=dmy("defendant_dob"),
        verdict="verdict",
        sentence_type="sentence_type",
        custodial_months=pl.col("custodial_months").cast(pl.String),
        _rid=hearing_key,
        _order=pl.col("hearing_date"),
        _person_id="victim_person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    return handled.select(
        hearing_id=v("hearing_id"),
        court_type=canonical("court_type", COURT_TYPES),
        hearing_month=pl.col("~hearing_date_date").dt.month_start(),
        hearing_type=canonical("hearing_type", HEARING_TYPES),
        trial_outcome=canonical("trial_outcome", TRIAL_OUTCOMES),
        outcome_reason=canonical("outcome_reason", OUTCOME_REASONS),
        victim_attended=canonical("victim_attended", VICTIM_ATTENDED),
    )


def _trial() -> pl.Expr:
    return pl.col("hearing_type") == "Trial"


DEFECTS = [
    DefectKind("swapped_day_month", "hearing_date", "swapped_day_month", lambda d, x: mut.dmy_swap_day_month(x), lambda: mut.dmy_day_and_month_swappable(pl.col("hearing_date"))),
    DefectKind("invalid_date", "hearing_date", "invalid_date", lambda d, x: mut.dmy_to_iso(x)),
    DefectKind("mistyped_urn", "urn", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "urn.typo", keep_first=False), weight=0.5),
    DefectKind("wrong_urn", "urn", "mistyped_reference", lambda d, x: mut.replace_digit(d, x, "urn.wrong", 4, 5), weight=0.5),
    DefectKind("invalid_code", "victim_attended", "invalid_code", lambda d, x: x.replace_strict({"Y": "Yes", "N": "No", "NA": "N/A"}, default="Yes"), lambda: _trial(), weight=4.0),
    DefectKind("invalid_code", "trial_outcome", "invalid_code", lambda d, x: pl.concat_str(x, pl.lit(" trial")), lambda: _trial(), weight=2.0),
    DefectKind("missing_required", "outcome_reason", "missing_required", lambda d, x: pl.lit(None, pl.String), lambda: _trial(), weight=4.0),
    DefectKind("invalid_pnc", "defendant_pnc", "malformed_optional", lambda d, x: mut.wrong_check_letter(x)),
    DefectKind("invalid_date", "defendant_dob", "invalid_date", lambda d, x: mut.impossible_dmy_date(d, x, "dob.bad"), weight=0.5),
    DefectKind("name_typo", "defendant_surname", "name_typo", lambda d, x: mut.name_typo(d, x, "surname.typo")),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "defendant_surname", "key_conflict", lambda d, x: mut.name_typo(d, x, "conflict.typo")),
]
