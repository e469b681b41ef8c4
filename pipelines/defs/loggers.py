"""Loggers a run can be configured with (run config `loggers`). A run configured with none, as from
the UI or the landing sensor, keeps Dagster's default console logger. `mopac build` chooses
(pipelines/build_log.py): the whole log to a file, and progress lines, or with -v the whole log, on
the console."""
import logging

import click
import dagster as dg

from pipelines.build_log import AppendFileHandler, CONSOLE_LOGGER, FILE_LOGGER, PROGRESS_LOGGER, ProgressHandler
from pipelines.stages import stages_by_step


@dg.logger(config_schema={"path": dg.Field(str, description="The log file (appended to)."),
                          "log_level": dg.Field(str, is_required=False, default_value="DEBUG")},
           description="Every record of the run, Dagster's and dbt's, to a file.")
def mopac_log_file(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    log = logging.Logger("mopac.build.file", level=config["log_level"].upper())
    log.addHandler(AppendFileHandler(config["path"]))
    return log


@dg.logger(config_schema={}, description="For people at a terminal: one line per ingested file and one per "
                                         "stage (ingest of each feed, dbt, publish).")
def mopac_progress(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.Logger("mopac.build.progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler(click.echo, stages_by_step()))
    return log


@dg.definitions
def loggers() -> dg.Definitions:
    return dg.Definitions(loggers={CONSOLE_LOGGER: dg.colored_console_logger, FILE_LOGGER: mopac_log_file,
                                   PROGRESS_LOGGER: mopac_progress})
