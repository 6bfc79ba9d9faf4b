"""Secrets with Kubernetes (recipe 7): the bundle as one immutable Secret named after a hash of
its content, mounted as files that the images read through their *_FILE variables."""

import re

import pytest

from moorings.secret_args import SecretBundleArgs, SecretEntry
from moorings.secret_bundle import SecretBundle, keyed_digest
from tests.harness import run_program
from tests.kubernetes_support import container, deploy, find, manifests

SECRET = "kubernetes:core/v1:Secret"
BUNDLE = "secret"  # the bundle's; the other is the rotation's record (test_kubernetes_rotation.py)


def with_password(value):
    return deploy("staging", {"mysqlPassword": value}, secret_keys=["mysqlPassword"])


@pytest.fixture(scope="module")
def run():
    return with_password("first-password")


@pytest.fixture(scope="module")
def objects(run):
    return manifests(run)


def test_the_bundle_is_one_immutable_secret_in_the_stacks_namespace(run):
    secret = run.one(SECRET, BUNDLE)
    assert secret.inputs["immutable"] is True
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"]["namespace"] == "moorings-staging"
    assert secret.parent == run.one("moorings:index:SecretBundle").urn


def test_its_data_is_a_pulumi_secret_and_holds_every_value(run):
    secret = run.one(SECRET, BUNDLE)
    assert secret.input_is_secret("stringData")
    data = secret.inputs["stringData"]
    assert data["mysql-password"] == "first-password"
    assert len(data) == 10  # two passwords, eight WordPress keys and salts


def test_its_name_is_the_prefix_and_a_hash_shown_in_plain_text(run):
    secret = run.one(SECRET, BUNDLE)
    assert not secret.input_is_secret("metadata")
    assert re.fullmatch(r"moorings-staging-[0-9a-f]{10}", secret.inputs["metadata"]["name"])


def test_the_same_values_give_the_same_name(run):
    again = with_password("first-password")
    assert again.one(SECRET, BUNDLE).inputs["metadata"]["name"] == run.one(SECRET, BUNDLE).inputs["metadata"]["name"]


def test_rotating_a_value_renames_the_secret_and_changes_the_pod_templates_that_mount_it(objects):
    rotated = manifests(with_password("second-password"))
    old, new = _secret_name(objects), _secret_name(rotated)
    assert new != old
    assert _mounted_secret(find(objects, "Deployment", "wordpress")) == old
    assert _mounted_secret(find(rotated, "Deployment", "wordpress")) == new  # a new template: the pods roll
    # MySQL reads the rotation's record, whose name stays: no restart (test_kubernetes_rotation.py).
    assert _mounted_secret(find(objects, "StatefulSet", "mysql")) == _mounted_secret(find(rotated, "StatefulSet", "mysql"))


def test_with_online_rotation_off_mysql_rolls_to_the_new_secret_too():
    def settings(password):
        return deploy("staging", {"mysqlPassword": password, "mysql.onlineRotation": False}, secret_keys=["mysqlPassword"])

    before, after = manifests(settings("first-password")), manifests(settings("second-password"))
    assert _mounted_secret(find(before, "StatefulSet", "mysql")) == _secret_name(before)
    assert _mounted_secret(find(after, "StatefulSet", "mysql")) == _secret_name(after) != _secret_name(before)


def test_the_digest_is_keyed_and_covers_every_name_and_value():
    values = {"a": "1", "b": "2"}
    digest = keyed_digest("key", values, 10)
    assert len(digest) == 10
    assert keyed_digest("key", dict(reversed(values.items())), 10) == digest
    assert keyed_digest("other-key", values, 10) != digest
    assert keyed_digest("key", {"a": "1", "b": "3"}, 10) != digest
    assert keyed_digest("key", {"a": "1", "c": "2"}, 10) != digest


@pytest.mark.parametrize(
    "kind, name, keys, group",
    [
        ("StatefulSet", "mysql", {"mysql-root-password", "mysql-password"}, 999),
        ("Deployment", "wordpress", {"mysql-password", "wordpress-auth-key", "wordpress-nonce-salt"}, 33),
    ],
)
def test_each_pod_mounts_only_its_own_keys_as_owner_only_files(objects, kind, name, keys, group):
    workload = find(objects, kind, name)
    pod = workload["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "secrets"]
    items = {item["key"] for item in volume["secret"]["items"]}
    assert keys <= items
    assert all(item["path"] == item["key"] for item in volume["secret"]["items"])
    if name == "mysql":
        assert items == keys  # not WordPress's salts
    assert volume["secret"]["defaultMode"] == 0o400
    assert {"name": "secrets", "mountPath": "/run/secrets", "readOnly": True} in container(workload)["volumeMounts"]
    # kubelet gives the files to group fsGroup (0440): the image's user reads them, no one else.
    assert pod["securityContext"]["fsGroup"] == group
    assert pod["securityContext"]["runAsUser"] == group


def test_every_file_variable_points_at_a_mounted_key(objects):
    for kind, name in (("Deployment", "wordpress"), ("StatefulSet", "mysql")):
        workload = find(objects, kind, name)
        (volume,) = [v for v in workload["spec"]["template"]["spec"]["volumes"] if v["name"] == "secrets"]
        mounted = {f"/run/secrets/{item['path']}" for item in volume["secret"]["items"]}
        files = {e["value"] for e in container(workload)["env"] if e["name"].endswith("_FILE")}
        assert files and files <= mounted


def test_a_kubernetes_bundle_needs_a_namespace():
    def program():
        SecretBundle("secrets", SecretBundleArgs(entries=[SecretEntry("a")], platform="kubernetes", name_prefix="t"))

    run = run_program(program, capture_error=True)
    assert "SecretBundleArgs.namespace is required" in str(run.error)


def _secret_name(objects):
    (secret,) = [o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] != "mysql-credentials"]
    return secret["metadata"]["name"]


def _mounted_secret(workload):
    (volume,) = [v for v in workload["spec"]["template"]["spec"]["volumes"] if v["name"] == "secrets"]
    return volume["secret"]["secretName"]
