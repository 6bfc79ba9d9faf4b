"""staging through the real engine: Kubernetes in render mode (manifests written, no cluster),
with its policy pack enforced. What a reviewer of the diffs relies on: scaling is one in-place
update of spec.replicas, a rotated password replaces the Secret and rolls both workloads."""

import json

import pytest

from tests.pulumi_engine import EngineProject, changed_steps, require_engine, step_summary

pytestmark = [pytest.mark.engine, pytest.mark.kubernetes_provider]

WORDPRESS = "kubernetes:apps/v1:Deployment::wordpress"
SECRET = "kubernetes:core/v1:Secret::secret"
GENERATED_PASSWORD = "random:index/randomPassword:RandomPassword::mysql-password"
ROTATION_JOBS = {("replace", "kubernetes:batch/v1:Job::mysql-credentials"), ("replace", "kubernetes:batch/v1:Job::mysql-credentials-close")}
RECORD = "kubernetes:core/v1:Secret::mysql-credentials-record"
BUDGET = "kubernetes:policy/v1:PodDisruptionBudget::wordpress"
CANARY = "Canary-Password-4c1f2a"


@pytest.fixture(scope="module")
def staging(tmp_path_factory):
    require_engine()
    project = EngineProject(tmp_path_factory.mktemp("staging"))
    project.init("staging")
    project.up("staging")
    return project


def test_up_renders_every_manifest(staging):
    rendered = "\n".join(p.read_text() for p in (staging.dir / "rendered").rglob("*.yaml"))
    for kind in ("Deployment", "StatefulSet", "Secret", "PersistentVolumeClaim", "PodDisruptionBudget",
                 "NetworkPolicy", "Service", "Namespace"):
        assert f"kind: {kind}" in rendered


def test_a_second_up_changes_nothing(staging):
    preview = staging.preview_json("staging")
    assert changed_steps(preview) == []
    staging.pulumi("preview", "-s", "staging", "--expect-no-changes", *staging.policy_args("staging"))


def test_scaling_up_and_down_is_one_in_place_update_of_the_replica_count(staging):
    steps = [
        ("3", [("update", WORDPRESS, ["spec.replicas"])]),
        # One pod: its disruption budget goes (it would block every node drain), and comes back.
        ("1", [("delete", BUDGET, []), ("update", WORDPRESS, ["spec.replicas"])]),
        ("2", [("create", BUDGET, []), ("update", WORDPRESS, ["spec.replicas"])]),
    ]
    for replicas, expected in steps:
        staging.set("staging", "wordpress.replicas", replicas)
        assert sorted(map(step_summary, changed_steps(staging.preview_json("staging")))) == expected, replicas
        staging.up("staging")


def test_a_rotated_password_replaces_the_secret_and_rolls_wordpress_but_not_mysql(staging):
    staging.set("staging", "mysqlPassword", CANARY, secret=True)
    preview = staging.preview_json("staging")
    ops = {(op, resource) for op, resource, _ in map(step_summary, changed_steps(preview))}
    # The Secret's name is a digest of its content: a new one is created, WordPress rolls to it,
    # and the generated password it replaces goes. The rotation's two Jobs are new ones (their names
    # carry the digest of the passwords), and the record of the database's passwords, which MySQL
    # reads by its unchanged name, is rewritten: the preview shows no change to MySQL.
    assert ops == {
        ("replace", SECRET), ("update", WORDPRESS), ("delete", GENERATED_PASSWORD), ("replace", RECORD),
    } | ROTATION_JOBS
    staging.up("staging")
    for text in (str(preview), staging.export("staging")):
        assert CANARY not in text


def test_the_policy_pack_stops_a_scale_beyond_its_bound(staging):
    staging.set("staging", "wordpress.replicas", "5")
    result = staging.pulumi("preview", "-s", "staging", *staging.policy_args("staging"), check=False)
    assert result.returncode != 0
    assert "replicas-within-bounds" in result.stdout and "mandatory" in result.stdout
    staging.set("staging", "wordpress.replicas", "2")


def policy_messages(project: EngineProject, stack: str) -> dict[str, str]:
    """resource name -> policy message, from the engine's event stream (the digest has none)."""
    events = project.pulumi("preview", "-s", stack, "--json", *project.policy_args(stack),
                            env={"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}).stdout
    found = {}
    for line in events.splitlines():
        event = json.loads(line).get("policyEvent") if line.startswith("{") else None
        if event:
            found[f"{event['policyName']} {event['resourceUrn'].split('::')[-1]}"] = event["message"]
    return found


def test_the_storage_advisory_names_the_setting_that_protects_each_claim(staging):
    messages = policy_messages(staging, "staging")
    assert "(the stack config's wordpress.protect)" in messages["stateful-storage-protected wp-content"]
    assert "(the stack config's mysql.protect)" in messages["stateful-storage-protected mysql-data"]


def test_destroy_removes_everything_when_nothing_is_protected(staging):
    staging.destroy("staging")
    assert '"resources"' not in staging.export("staging")
