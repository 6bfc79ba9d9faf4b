"""The test control plane itself (tests/control_plane.py): what the stacks' tests rely on."""

import pytest

from tests.control_plane import NODE

pytestmark = pytest.mark.cluster


def test_the_node_heartbeats_with_a_lease_as_a_kubelet_does(control_plane):
    # Without it the node lifecycle controller finds the node unreachable 50 s after start and
    # marks every pod on it not ready (see the --node-lease-duration-seconds flag).
    lease = control_plane.get("lease", NODE, "-n", "kube-node-lease")
    assert lease["spec"]["leaseDurationSeconds"] == 40 and lease["spec"]["renewTime"]
    node = control_plane.get("node", NODE)
    assert not node["spec"].get("taints"), node["spec"]


def test_the_api_server_reports_the_release_it_was_built_from(control_plane):
    assert "Server Version: v1.37.2" in control_plane.kubectl("version").stdout
