"""A real `prefect server start` for the deployment tests (tests/flows/test_deploy*.py, test_postgres_workers.py):
the `prefect` program of this venv, waiting for /health, running a command that must
succeed, and stopping a server or worker with its whole process group.

The server itself is the module-scoped `prefect_server` fixture in tests/flows/conftest.py; the tests that use it
are marked prefect and slow by tests/conftest.py (a server takes 15-20 s to start on 2 cores)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "bulletin"


def wait_healthy(api: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"prefect server start exited ({server.returncode}):\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the Prefect server did not become healthy:\n{log.read_text(errors='replace')}")


def run(args: list[str], env: dict, cwd: Path) -> str:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
