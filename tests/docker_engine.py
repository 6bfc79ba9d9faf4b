"""Access to a real Docker Engine for the tests marked docker_engine.

Where none answers they skip, saying why, unless the run demands an engine
(MOORINGS_REQUIRE_DOCKER=1, or CI=true as CI sets it): then the skip is a failure,
so CI can never pass without having run them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from typing import Optional

import pytest

TIMEOUT = 120  # seconds for one docker call: a swarm init takes a few


def engine_required() -> bool:
    return os.environ.get("MOORINGS_REQUIRE_DOCKER") == "1" or os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    if engine_required():
        pytest.fail(f"{reason}; this run requires a Docker Engine (MOORINGS_REQUIRE_DOCKER=1 or CI=true), so no skip")
    pytest.skip(reason)


def docker(*args: str, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT)


def engine_problem() -> Optional[str]:
    """Why no engine can be used here, or None."""
    if shutil.which("docker") is None:
        return "no docker CLI on PATH (apt-get install docker.io)"
    answer = docker("info", "--format", "{{.ServerVersion}}")
    if answer.returncode != 0:
        return f"no Docker Engine answers `docker info`: {answer.stderr.strip()}"
    return None


def swarm_info(field: str) -> str:
    """One field of `docker info`'s Swarm section, e.g. LocalNodeState."""
    return docker("info", "--format", "{{.Swarm.%s}}" % field).stdout.strip()


def require_docker_engine() -> None:
    """Skip (or fail, where an engine is required) when no Docker Engine answers."""
    problem = engine_problem()
    if problem is not None:
        skip_or_fail(problem)


def free_port() -> int:
    """A loopback port nobody listens on now, for a stack's published port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def inspect(container: str) -> dict:
    return json.loads(docker("inspect", container).stdout)[0]
