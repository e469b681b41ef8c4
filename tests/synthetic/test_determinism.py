"""Same arguments, same bytes; another seed, another world."""

import hashlib
from pathlib import Path


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_same_seed_gives_byte_identical_extracts_and_truth(messy, messy_again):
    first, second = _digests(messy.root), _digests(messy_again.root)
    assert first.keys() == second.keys()
    assert {
        "landing/court_hearings/hmcts_hearings_2025-02.csv", "landing/court_hearings/hmcts_hearings_2025-02_v2.csv",
        "landing/rj_cases/restore_london_cases_2025-03-31.csv", "truth/resent/rj_cases/restore_london_cases_2025-03-31.csv",
    } <= first.keys()
    assert first == second


def test_another_seed_gives_different_extracts(messy, other_seed):
    name = "police_crimes/met_crimes_2025-01.csv"
    assert (messy.landing / name).read_bytes() != (other_seed.landing / name).read_bytes()
