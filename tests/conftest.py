"""Tests import the project the way the Pulumi language host runs it: from the repository root;
and the policy pack's rules the way the policy host runs them: from policies/."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "policies"))

# The control plane of the tests marked `cluster`: one per session, started on first use.
from tests.control_plane import control_plane  # noqa: E402,F401

# Tests that share this machine's one Docker Engine, or the one control plane of a session, run
# one after another on one pytest-xdist worker (--dist loadgroup): the engine holds one swarm, one
# set of fixed container names. Every other module stays whole on one worker, its tests in order
# (a module's fixture is one stack that its tests walk through), and the modules spread out.
SERIAL_GROUPS = {"docker_engine": "docker-engine", "cluster": "control-plane"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        shared = [group for marker, group in SERIAL_GROUPS.items() if item.get_closest_marker(marker) is not None]
        item.add_marker(pytest.mark.xdist_group(shared[0] if shared else item.nodeid.split("::")[0]))
