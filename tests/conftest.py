"""Tests import the project the way the Pulumi language host runs it: from the repository root;
and the policy pack's rules the way the policy host runs them: from policies/."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "policies"))

# The control plane of the tests marked `cluster`: one per session, started on first use.
from tests.control_plane import control_plane  # noqa: E402,F401
from tests.kubernetes_node import kubernetes_node  # noqa: E402,F401

# Tiers run cheapest first, and the cluster tier last: its toolchain may still be building in the
# background (scripts/setup.sh, MOORINGS_CLUSTER_BUILD=background) while the others run.
TIER_ORDER = ("unit", "engine", "app", "cluster")


def pytest_collection_modifyitems(session, config, items):
    def tier(item) -> int:
        folder = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        return TIER_ORDER.index(folder) if folder in TIER_ORDER else len(TIER_ORDER)

    items.sort(key=tier)  # stable: each module's tests stay together, in their order
