"""staging deployed by the real engine to a real control plane (tests/control_plane.py) in
`kubernetes.mode existing`, its policy pack enforced: what the API accepts, what the
controllers make of it, and that Pulumi's readiness waits end (kwok plays the kubelet)."""

import pytest

from tests.cluster_stacks import (
    existing_mode_project,
    names,
    pods_violating_restricted,
    ready_replicas,
    secret_names_in_templates,
    wait_for_ready_replicas,
    wait_for_rollout,
)
from tests.pulumi_engine import StepEvent, changed_steps, require_engine, step_events, step_summary

pytestmark = [pytest.mark.engine, pytest.mark.cluster]

NS = "moorings-staging"
WORDPRESS = "kubernetes:apps/v1:Deployment::wordpress"
DEMO = "kubernetes:apps/v1:Deployment::demo"
CANARY = "Canary-Password-7d2e91"


@pytest.fixture(scope="module")
def staging(tmp_path_factory, control_plane):
    require_engine()
    project = existing_mode_project(tmp_path_factory.mktemp("cluster-staging"), control_plane, "staging")
    project.up("staging")
    return project


def test_up_creates_every_object_and_the_controllers_converge(staging, control_plane):
    wait_for_ready_replicas(control_plane, NS, "deployment/wordpress", 2)
    wait_for_ready_replicas(control_plane, NS, "deployment/demo", 2)
    wait_for_ready_replicas(control_plane, NS, "statefulset/mysql", 1)
    claims = control_plane.get("persistentvolumeclaims", "-n", NS)["items"]
    assert {c["metadata"]["name"]: c["status"]["phase"] for c in claims} == {"mysql-data": "Bound", "wp-content": "Bound"}
    assert names(control_plane, "poddisruptionbudgets", NS) == {"wordpress", "demo"}
    assert names(control_plane, "networkpolicies", NS)
    # The Services have endpoints: the endpoint controller saw the pods ready.
    slices = control_plane.get("endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=wordpress")["items"]
    assert sum(len(s.get("endpoints") or []) for s in slices) == 2


def test_the_api_finds_every_running_pod_within_the_restricted_pod_security_level(staging, control_plane):
    assert pods_violating_restricted(control_plane, NS) == ""


def test_a_second_up_and_a_refresh_find_no_drift(staging):
    staging.pulumi("preview", "-s", "staging", "--expect-no-changes", *staging.policy_args("staging"))
    # refresh reads every object back from the API: what the controllers wrote (status,
    # defaults) must not read as a change of what Pulumi manages.
    staging.pulumi("refresh", "-s", "staging", "--yes", "--skip-preview", "--expect-no-changes")
    staging.pulumi("preview", "-s", "staging", "--expect-no-changes", *staging.policy_args("staging"))


@pytest.mark.parametrize("replicas", [3, 2])
def test_scaling_is_one_in_place_update_and_the_ready_count_follows(staging, control_plane, replicas):
    staging.set("staging", "wordpress.replicas", str(replicas))
    preview = staging.preview_json("staging")
    assert [step_summary(s) for s in changed_steps(preview)] == [("update", WORDPRESS, ["spec.replicas"])]
    staging.up("staging")
    wait_for_ready_replicas(control_plane, NS, "deployment/wordpress", replicas)


def test_beyond_the_policy_bound_the_pack_refuses_and_the_cluster_keeps_its_count(staging, control_plane):
    # staging's replicas-within-bounds allows 1..3: 5 is stopped before the API sees it.
    staging.set("staging", "wordpress.replicas", "5")
    refused = staging.pulumi("up", "-s", "staging", "--yes", *staging.policy_args("staging"), check=False)
    assert refused.returncode != 0 and "replicas-within-bounds" in refused.stdout
    staging.set("staging", "wordpress.replicas", "2")
    assert ready_replicas(control_plane, NS, "deployment/wordpress") == 2


@pytest.mark.parametrize("replicas", [3, 2])
def test_an_extra_service_scales_the_same_way(staging, control_plane, replicas):
    staging.set("staging", "services.demo.replicas", str(replicas))
    preview = staging.preview_json("staging")
    assert [step_summary(s) for s in changed_steps(preview)] == [("update", DEMO, ["spec.replicas"])]
    staging.up("staging")
    wait_for_ready_replicas(control_plane, NS, "deployment/demo", replicas)


def test_a_rotated_password_rolls_wordpress_to_a_new_secret_mysql_stays_and_the_old_one_goes(staging, control_plane):
    before = control_plane.get("deployment/wordpress", "-n", NS)
    (old,) = secret_names_in_templates(before)
    mysql_before = control_plane.get("statefulset/mysql", "-n", NS)
    staging.set("staging", "mysqlPassword", CANARY, secret=True)
    done = staging.up("staging", "--json")
    order = rotation_order(step_events(done.stdout))
    assert [step for step in order if not step.startswith("mysql-credentials-record")] == [
        "secret created",
        "mysql-credentials created",  # open: the database takes the new password beside the old
        "wordpress updated",  # MySQL reads the record, whose name stays: it does not restart
        "mysql-credentials-close created",  # the old password retired
        "secret deleted",  # the old Secret, last
    ]
    # The record has a fixed name (the next open Job mounts it by that name), and the provider
    # replaces a Secret whose data changes: it goes and comes back, once the open Job is done.
    opened = order.index("mysql-credentials created")
    assert opened < order.index("mysql-credentials-record deleted") < order.index("mysql-credentials-record created")
    (new,) = secret_names_in_templates(control_plane.get("deployment/wordpress", "-n", NS))
    mysql_after = control_plane.get("statefulset/mysql", "-n", NS)
    assert new != old and secret_names_in_templates(mysql_after) == {"mysql-credentials"}
    assert mysql_after["metadata"]["generation"] == mysql_before["metadata"]["generation"]
    wait_for_rollout(control_plane, NS, "deployment/wordpress")
    secrets = names(control_plane, "secrets", NS)
    assert new in secrets and old not in secrets


def rotation_order(events: list[StepEvent]) -> list[str]:
    """When each step of a rotation finished, in order: the Secrets, the Jobs and the workloads."""
    done = {"create-replacement": "created", "update": "updated", "delete-replaced": "deleted"}
    wanted = {"secret", "mysql-credentials", "mysql-credentials-record", "mysql", "wordpress", "mysql-credentials-close"}
    return [
        f"{e.name} {done[e.op]}"
        for e in events
        if e.kind == "done" and e.op in done and e.name in wanted and e.type.startswith("kubernetes:")
        and not (e.name == "mysql-credentials" and e.op == "delete-replaced")
        and not (e.name == "mysql-credentials-close" and e.op == "delete-replaced")
    ]


def test_the_rotation_jobs_completed_on_the_cluster(staging, control_plane):
    jobs = control_plane.get("jobs", "-n", NS)["items"]
    assert sorted(j["metadata"]["name"].rsplit("-", 1)[0] for j in jobs) == ["mysql-credentials", "mysql-credentials-close"]
    assert all(j["status"].get("succeeded") == 1 for j in jobs), [j["status"] for j in jobs]
    assert "mysql-credentials" in names(control_plane, "secrets", NS)  # the record


def test_the_api_refuses_to_change_an_immutable_secret_in_place(staging, control_plane):
    (secret,) = secret_names_in_templates(control_plane.get("deployment/wordpress", "-n", NS))
    refused = control_plane.kubectl("patch", "secret", secret, "-n", NS, "--type", "merge",
                                    "-p", '{"stringData": {"mysql-password": "changed-in-place"}}', check=False)
    assert refused.returncode != 0
    assert "field is immutable when `immutable` is set" in refused.stderr


def test_destroy_removes_everything_when_nothing_is_protected(staging, control_plane):
    staging.destroy("staging")
    assert '"resources"' not in staging.export("staging")
    gone = control_plane.kubectl("get", "namespace", NS, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    # The volumes stay (reclaim policy Retain), released by their claims.
    volume = control_plane.get("persistentvolume", f"{NS}-wp-content")
    assert volume["status"]["phase"] == "Released"
