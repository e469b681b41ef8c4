"""Resources shared by every asset: the warehouse (with its write lock) and dbt."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from pipelines.defs.dbt_project import DBT_LAUNCHER, mopac_dbt_project
from pipelines.publish import recover_interrupted_publish
from pipelines.settings import Settings, load_settings
from pipelines.warehouse import connect_for_write, write_lock


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse. Holding this resource holds the project write lock for the whole run
    (runs use the in-process executor), so a `mopac build` and a sensor-launched run never write at
    the same time; the second waits and says why. Once it holds the lock, a run first finishes or
    clears what a publish killed part-way left (README, "Crash safety")."""

    @property
    def settings(self) -> Settings:
        return load_settings()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        settings = self.settings
        run = f"dagster run {context.run.run_id}" if context.run else "dagster"
        notify = context.log.warning if context.log else print
        with write_lock(settings.write_lock_path, command=run, notify=notify):
            recovered = recover_interrupted_publish(settings.published_dir).describe()
            if recovered:
                notify(recovered)
            yield self

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection, closed on exit so that dbt (another process) can open the file."""
        settings = self.settings
        con = connect_for_write(settings.warehouse_db, settings.duckdb_memory_limit)
        try:
            yield con
        finally:
            con.close()


class MopacDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, without the dbt adapter it opens in the build's own process before
    each invocation. That adapter serves only fetch_row_counts / fetch_column_metadata, which the
    build does not call (nor could: the profile names the warehouse file relative to the folder dbt
    runs in, see dbt_launcher), and making it cost 1.4 s of every build's dbt step: importing dbt's
    adapter and loading its macros. Without one, dagster-dbt carries on as it does when making the
    adapter fails, or for the dbt Fusion engine."""

    def _initialize_dbt_core_adapter(self, args):
        return None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"warehouse": WarehouseResource(), "dbt": MopacDbtCliResource(project_dir=mopac_dbt_project,
                                                                        dbt_executable=DBT_LAUNCHER)},
        # One process per run: the warehouse lock is taken once and DuckDB has one writer.
        executor=dg.in_process_executor,
    )
