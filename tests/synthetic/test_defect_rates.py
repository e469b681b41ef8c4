"""The DefectRates knobs: frozen, a clean world, and proportional scaling."""

import dataclasses

import pytest

from pipelines.synthetic import DefectRates


def test_rates_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DefectRates().name_typo = 0.5


def test_none_is_a_world_without_any_defect_or_redelivery():
    assert all(value == 0 for value in DefectRates.none().as_dict().values())


def test_scaling_multiplies_every_share_but_not_counts():
    base, doubled = DefectRates(), DefectRates().scaled(2.0)
    assert doubled.mistyped_reference == pytest.approx(2 * base.mistyped_reference)
    assert doubled.duplicate_row == pytest.approx(2 * base.duplicate_row)
    assert doubled.police_redeliveries == base.police_redeliveries


def test_scaled_shares_never_exceed_one():
    assert DefectRates().scaled(100).hub_reference_mistyped == 1.0
