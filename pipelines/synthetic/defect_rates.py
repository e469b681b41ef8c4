"""How much mess the generator injects: per-defect-kind rates, as shares of records.

Each feed maps these knobs onto its own defect kinds (see the `DEFECTS` list of each module in
`pipelines.synthetic.feeds`). A record carries at most one defect, so the rates of one feed add
up; the defaults keep row-level failures around 2% of a file, far below the 20% at which the
warehouse rejects a file, and the generator never lets them exceed MAX_ROW_FAILURE_SHARE.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Cap on the share of a file's rows that may be quarantined, whatever the rates.
MAX_ROW_FAILURE_SHARE = 0.10


@dataclass(frozen=True)
class DefectRates:
    # References (crime_ref, victim_ref, URN, ids): a typo or a blank where a value belongs.
    mistyped_reference: float = 0.004
    missing_reference: float = 0.002
    # A required field left blank.
    missing_required: float = 0.002
    # A value outside its code list (offence group, outcome code, answer label, ...).
    invalid_code: float = 0.004
    # A date that does not parse or has the wrong format.
    invalid_date: float = 0.002
    # Day and month swapped (dd/mm read as mm/dd).
    swapped_day_month: float = 0.004
    # A follow-up date earlier than the date it follows (report, referral, receipt, sentence).
    date_before_anchor: float = 0.004
    # A malformed optional value (postcode, LSOA, PNC check letter, date of birth out of range).
    malformed_optional: float = 0.004
    # Undetectable or accepted variations: typos and nicknames in names, formatting variants.
    name_typo: float = 0.006
    nickname: float = 0.008
    format_variant: float = 0.006
    # Borough names: a spelling the matching rule resolves, and one it cannot.
    resolvable_borough_variant: float = 0.006
    unresolvable_borough: float = 0.002
    # Whole-row problems within a file.
    duplicate_row: float = 0.003
    key_conflict: float = 0.001
    # Council hubs type police references by hand: share of those references mistyped.
    hub_reference_mistyped: float = 0.2
    # Share of hub workbooks saved with trailing blank (formatted) rows.
    trailing_blank_rows: float = 0.5
    # police_crimes months re-delivered as `_v2` (from the first month; only when months >= 2).
    police_redeliveries: int = 1
    # court_hearings months re-delivered as `_v2` (from the second month; only when months >= 2).
    court_redeliveries: int = 1
    # Share of a re-delivered month's defective records the `_v2` corrects.
    v2_correction_share: float = 0.6
    # Defective cases the sender corrects when re-sending the latest rj_cases snapshot under the
    # same name, new bytes and no new version (0: no re-send; only when months >= 2).
    rj_resent_cases: int = 1

    @classmethod
    def none(cls) -> "DefectRates":
        """A clean world: no defects, no re-deliveries."""
        return cls(**{f.name: 0 for f in dataclasses.fields(cls)})

    def scaled(self, factor: float) -> "DefectRates":
        """Every rate multiplied by `factor` (shares capped at 1); counts are left as they are."""
        changes = {
            f.name: min(1.0, getattr(self, f.name) * factor)
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), float) and f.name != "v2_correction_share"
        }
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)
