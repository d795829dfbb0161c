"""Fixtures of the flow tests: a real `prefect server start` of our own (tests/kits/prefect_kit.py)."""

from __future__ import annotations

import os
import subprocess

import pytest
from prefect_kit import PREFECT, stop, wait_healthy
from smtp_server import free_port


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """(api_url, env, log) of a `prefect server start` of our own; stopped (its process group) afterwards.
    A test using it is marked prefect and slow (tests/conftest.py)."""
    tmp_path = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",  # the API is all these tests need
    )
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_healthy(api, server, log)
        yield api, env, log
    finally:
        stop(server)
