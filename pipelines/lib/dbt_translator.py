"""How dbt nodes appear in Dagster: keyed and grouped by warehouse layer (schema).

A model `marts.fct_victim_crime` becomes asset `marts/fct_victim_crime` in group `marts`; a
source `raw.police_crimes` becomes `raw/police_crimes`, the key of the ingest asset that writes
it, so the graph reads landing -> raw -> staging -> intermediate -> marts -> published.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


def layer_of(props: Mapping[str, Any]) -> str:
    return props["schema"]


def asset_key_of(props: Mapping[str, Any]) -> dg.AssetKey:
    if props["resource_type"] == "source":
        return dg.AssetKey([props["source_name"], props["name"]])
    return dg.AssetKey([layer_of(props), props["name"]])


class MopacDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return asset_key_of(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        return layer_of(dbt_resource_props)
