"""The synthetic world most integration tests read: generated and built once per test session."""
import pytest

from tests.integration.build_helpers import build_world

# Three months: a police _v2 (month 1), a court _v2 (month 2) and a re-sent RJ snapshot (month 3).
SYNTHETIC_WORLD = {"start": "2025-01", "months": 3, "scale": 0.02, "seed": 7}


@pytest.fixture(scope="session")
def synthetic_world(tmp_path_factory):
    """Read-only for the tests: a test that changes a warehouse builds its own copy."""
    return build_world(tmp_path_factory, "synthetic", **SYNTHETIC_WORLD)
