"""Dagster glue only: each module wires small pure functions (pipelines.ingest, pipelines.publish,
pipelines.calendar) into assets, checks, jobs and sensors."""
