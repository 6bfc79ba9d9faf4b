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
