"""The small pure helpers behind the Dagster definitions."""
import os
import time

import dagster as dg

from pipelines.defs.dbt import (
    PARSE_STATE, dbt_build_args, dbt_python_path, mopac_dbt_models, start_from_prepared_parse)
from pipelines.defs.dbt_project import manifest_is_stale
from pipelines.defs.ingest import delivery_metadata
from pipelines.defs.publish import rebuilt_every_dbt_model
from pipelines.defs.sensors import decide, landing_fingerprint
from pipelines.ingest.pipeline import FileResult
from pipelines.lib.dbt_translator import asset_key_of
from pipelines.settings import PROJECT_ROOT


def test_dbt_builds_incrementally_unless_a_full_refresh_is_asked_for_and_leaves_unit_tests_to_the_suite():
    assert dbt_build_args(full_refresh=False) == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(full_refresh=True) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_a_publish_is_recorded_as_up_to_date_only_when_its_run_rebuilt_every_dbt_model():
    published = dg.AssetKey(["published", "mopac_marts"])
    assert rebuilt_every_dbt_model({*mopac_dbt_models.keys, published})
    assert not rebuilt_every_dbt_model({published})
    assert not rebuilt_every_dbt_model({dg.AssetKey(["marts", "metric_values"]), published})


def test_models_are_keyed_by_layer_and_sources_by_source_name():
    assert asset_key_of({"resource_type": "model", "schema": "marts", "name": "fct_victim_crime"}) == \
        dg.AssetKey(["marts", "fct_victim_crime"])
    assert asset_key_of({"resource_type": "source", "source_name": "raw", "name": "police_crimes",
                         "schema": "raw"}) == dg.AssetKey(["raw", "police_crimes"])


def test_the_manifest_is_stale_when_missing_or_older_than_a_model(tmp_path):
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    manifest = tmp_path / "manifest.json"
    assert manifest_is_stale(tmp_path, manifest)
    manifest.write_text("{}")
    assert not manifest_is_stale(tmp_path, manifest)
    later = time.time() + 10
    os.utime(model, (later, later))
    assert manifest_is_stale(tmp_path, manifest)


def test_the_sensor_fingerprint_changes_when_a_file_arrives_or_changes(tmp_path):
    empty = landing_fingerprint(tmp_path)
    (tmp_path / "police_crimes").mkdir()
    delivery = tmp_path / "police_crimes" / "met_crimes_2025-04.csv"
    delivery.write_text("a")
    arrived = landing_fingerprint(tmp_path)
    delivery.write_text("ab")
    assert len({empty, arrived, landing_fingerprint(tmp_path)}) == 3
    assert landing_fingerprint(tmp_path) == landing_fingerprint(tmp_path)


def test_asset_metadata_carries_counts_and_never_values():
    results = [FileResult("police_crimes", "a.csv", "loaded", 10, 9, 1, 2),
               FileResult("police_crimes", "b.csv", "rejected", 5, 0, 3, 0, "3 of 5 rows failed")]
    metadata = delivery_metadata(results)
    assert metadata == {"files_new": 2, "files_loaded": 1, "files_rejected": 1, "rows_received": 10,
                        "rows_loaded": 9, "rows_quarantined": 1, "fields_nulled": 2}
    assert all(isinstance(v, int) for v in metadata.values())


def test_the_sensor_waits_until_the_landing_folder_has_settled_and_runs_once_per_change():
    first = decide(None, "a")
    assert not first.run and "still being written" in first.reason
    settled = decide(first.cursor, "a")
    assert settled.run
    assert not decide(settled.cursor, "a").run                  # nothing new
    growing = decide(settled.cursor, "b")                        # a file arrives, or is still growing
    assert not growing.run and not decide(growing.cursor, "c").run
    assert decide(decide(growing.cursor, "c").cursor, "c").run  # stable across two evaluations
    assert decide("a-bare-fingerprint-from-the-old-cursor", "a-bare-fingerprint-from-the-old-cursor").run is False


def test_the_sensor_fingerprint_ignores_partial_uploads(tmp_path):
    (tmp_path / "police_crimes").mkdir()
    before = landing_fingerprint(tmp_path)
    (tmp_path / "police_crimes" / "met_crimes_2025-04.csv.part").write_text("half a file")
    assert landing_fingerprint(tmp_path) == before


def test_the_landing_sensor_requests_a_run_on_its_second_look_at_a_new_file(tmp_path, monkeypatch):
    from pipelines.defs.sensors import landing_sensor

    monkeypatch.setenv("MOPAC_LANDING_DIR", str(tmp_path))
    (tmp_path / "police_crimes").mkdir()
    (tmp_path / "police_crimes" / "met_crimes_2025-04.csv").write_text("a")
    with dg.build_sensor_context(cursor=None) as context:
        first = landing_sensor(context)
        second = landing_sensor(dg.build_sensor_context(cursor=context.cursor))
    assert isinstance(first, dg.SkipReason) and isinstance(second, dg.RunRequest)


def test_runs_of_killed_builds_are_marked_failed_and_no_other_run_is_touched():
    """A `mopac build` killed mid-run leaves its run 'started' for ever, holding the instance's one run
    slot; the next build (holding the write lock, so no build is running) marks it failed."""
    from dagster._core.storage.dagster_run import DagsterRun

    from pipelines.build import BUILD_RUN_TAG, fail_runs_of_killed_builds

    with dg.DagsterInstance.ephemeral() as instance:
        def run(status, tags):
            return instance.add_run(DagsterRun(job_name="build_warehouse", status=status, tags=tags)).run_id

        killed = run(dg.DagsterRunStatus.STARTED, dict([BUILD_RUN_TAG]))
        finished = run(dg.DagsterRunStatus.SUCCESS, dict([BUILD_RUN_TAG]))
        sensor_launched = run(dg.DagsterRunStatus.STARTED, {})
        said = []
        assert fail_runs_of_killed_builds(instance, said.append) == [killed]
        assert [instance.get_run_by_id(r).status for r in (killed, finished, sensor_launched)] == [
            dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.STARTED]
        assert said == [f"Run {killed} of a `mopac build` that was killed before it ended: marked failed."]
        assert fail_runs_of_killed_builds(instance, said.append) == []


def test_dbt_python_models_import_this_checkout_first_and_the_path_does_not_grow(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["/elsewhere", str(PROJECT_ROOT)]))
    first = dbt_python_path()
    assert first.split(os.pathsep) == [str(PROJECT_ROOT), "/elsewhere"]
    monkeypatch.setenv("PYTHONPATH", first)
    assert dbt_python_path() == first


def test_a_new_target_folder_starts_from_the_prepared_parse_state_and_an_existing_one_keeps_its_own(tmp_path):
    prepared, target = tmp_path / "prepared", tmp_path / "warehouse" / "dbt"
    assert not start_from_prepared_parse(target, prepared)  # nothing prepared: dbt parses in full
    prepared.mkdir()
    (prepared / PARSE_STATE).write_bytes(b"prepared")
    assert start_from_prepared_parse(target, prepared)
    assert (target / PARSE_STATE).read_bytes() == b"prepared"
    (target / PARSE_STATE).write_bytes(b"this warehouse's own")
    assert not start_from_prepared_parse(target, prepared)
    assert (target / PARSE_STATE).read_bytes() == b"this warehouse's own"
