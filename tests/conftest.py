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
from tests.kubernetes_node import kubernetes_node  # noqa: E402,F401

from tests.cluster_toolchain import wait_for_cluster_toolchain  # noqa: E402

# Tiers run cheapest first, and the cluster tier last: its toolchain and the Kubernetes provider
# may still be building in the background (scripts/setup.sh, MOORINGS_CLUSTER_BUILD=background)
# while the others run. The engine modules marked `kubernetes_provider` run after the app tier, for
# the same reason.
TIER_ORDER = ("unit", "engine", "app", "kubernetes_provider", "cluster")


def tier(item) -> int:
    folder = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
    if folder == "engine" and item.get_closest_marker("kubernetes_provider"):
        folder = "kubernetes_provider"
    return TIER_ORDER.index(folder) if folder in TIER_ORDER else len(TIER_ORDER)


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=tier)  # stable: each module's tests stay together, in their order


@pytest.fixture(autouse=True, scope="module")
def kubernetes_provider_built(request):
    """A module marked `kubernetes_provider` waits, before its own fixtures deploy anything, for a
    background build of the provider (none running: no wait)."""
    if request.node.get_closest_marker("kubernetes_provider"):
        wait_for_cluster_toolchain()
