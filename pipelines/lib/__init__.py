"""Reusable Dagster helpers (not definitions themselves)."""
