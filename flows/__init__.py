"""Prefect flows over the plain functions of `bulletin` (no bulletin logic lives here).

Prefect reads its settings when it is imported, so the project's defaults are set here, before
`flows.monthly_bulletin` imports Prefect, and only when the environment does not say otherwise. The same
settings are in prefect.toml (for `prefect server start`, `prefect deploy`, `prefect worker start` run from the
repository) and in prefect.yaml's job variables (flow runs started by a worker run in a temporary folder).

PREFECT_LOGGING_EXTRA_LOGGERS is not defaulted here: the flow itself forwards the `bulletin` loggers to the
run's log for the duration of a run (see monthly_bulletin._library_logs), so `bulletin run` from any folder
shows them, and plain CLI commands in the same process never try to send logs to an API.
"""

import os

PREFECT_DEFAULTS = {
    # The telemetry heartbeat tries the network and caused "database is locked" on a fresh start.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}

for _name, _value in PREFECT_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
