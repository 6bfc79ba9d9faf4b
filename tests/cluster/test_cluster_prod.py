"""prod deployed by the real engine to a real control plane (tests/control_plane.py), in the
`existing` mode it is written for, its policy pack enforced: the autoscaler, the disruption
budgets and the network policies accepted and acted on, an extra service scaled, and a
destroy that keeps the protected claims and says so."""


import pytest

from tests.cluster_stacks import (
    existing_mode_project,
    names,
    pods_violating_restricted,
    ready_replicas,
    wait_for_ready_replicas,
)
from tests.pulumi_engine import assert_an_autoscaled_replica_count_warns_and_changes_nothing, assert_destroy_keeps_only_the_protected_claims, changed_steps, require_engine, step_summary

pytestmark = [pytest.mark.engine, pytest.mark.cluster]

NS = "moorings-prod"
DEMO = "kubernetes:apps/v1:Deployment::demo"


@pytest.fixture(scope="module")
def prod(tmp_path_factory, control_plane):
    require_engine()
    project = existing_mode_project(tmp_path_factory.mktemp("cluster-prod"), control_plane, "prod")
    project.up("prod")
    return project


def test_the_autoscaler_budgets_and_network_policies_are_accepted_and_acted_on(prod, control_plane):
    autoscaler = control_plane.get("horizontalpodautoscaler/wordpress", "-n", NS)
    assert autoscaler["spec"]["minReplicas"] == 3
    # No metrics server runs, so the autoscaler cannot measure CPU; it still enforces its lower
    # bound on the Deployment the program left without a replica count.
    wait_for_ready_replicas(control_plane, NS, "deployment/wordpress", 3)
    wait_for_ready_replicas(control_plane, NS, "deployment/demo", 3)
    wait_for_ready_replicas(control_plane, NS, "statefulset/mysql", 1)
    assert names(control_plane, "poddisruptionbudgets", NS) == {"wordpress", "demo"}
    assert {"mysql", "wordpress", "demo"} <= names(control_plane, "networkpolicies", NS)
    assert names(control_plane, "ingresses", NS) == {"wordpress"}


def test_the_api_finds_every_running_pod_within_the_restricted_pod_security_level(prod, control_plane):
    assert pods_violating_restricted(control_plane, NS) == ""


def test_a_second_up_and_a_refresh_find_no_drift(prod):
    prod.pulumi("refresh", "-s", "prod", "--yes", "--skip-preview", "--expect-no-changes")
    prod.pulumi("preview", "-s", "prod", "--expect-no-changes", *prod.policy_args("prod"))


def test_a_replica_count_the_autoscaler_owns_warns_and_changes_nothing(prod, control_plane):
    assert_an_autoscaled_replica_count_warns_and_changes_nothing(prod, "prod")
    assert ready_replicas(control_plane, NS, "deployment/wordpress") == 3


@pytest.mark.parametrize("replicas", [5, 2])
def test_an_extra_service_scales_in_place_and_the_ready_count_follows(prod, control_plane, replicas):
    prod.set("prod", "services.demo.replicas", str(replicas))
    preview = prod.preview_json("prod")
    assert [step_summary(s) for s in changed_steps(preview)] == [("update", DEMO, ["spec.replicas"])]
    prod.up("prod")
    wait_for_ready_replicas(control_plane, NS, "deployment/demo", replicas)


def test_destroy_keeps_the_protected_claims_and_says_so(prod, control_plane):
    assert_destroy_keeps_only_the_protected_claims(prod, "prod")
    # In the cluster: the claims, still bound, and nothing that ran.
    claims = control_plane.get("persistentvolumeclaims", "-n", NS)["items"]
    assert {c["metadata"]["name"]: c["status"]["phase"] for c in claims} == {"mysql-data": "Bound", "wp-content": "Bound"}
    for kind in ("deployments", "statefulsets", "secrets", "services", "ingresses", "horizontalpodautoscalers"):
        left_over = names(control_plane, kind, NS) - {"kube-root-ca.crt"}
        assert left_over == set(), (kind, left_over)
