"""Kubernetes: scheduled backups as a CronJob on MySQL's image into a protected claim
(moorings/wordpress_builders/kubernetes/backup.py), checked as objects: the API's schemas, the
references between objects, MySQL's NetworkPolicy, and the policy pack (prod's config)."""

import pytest

from moorings.backups import BACKUP_SCRIPT
from tests.kubernetes_checks import reference_problems, schema_problems
from tests.kubernetes_support import deploy, find, manifests
from tests.policy_harness import analyze

BACKUP = {"backup.enabled": True, "backup.every": "6h", "backup.keep": 5, "kubernetes.backupStorageSize": "20Gi"}


@pytest.fixture(scope="module", params=["staging", "prod"])
def stack(request):
    return request.param


@pytest.fixture(scope="module")
def run(stack):
    return deploy(stack, BACKUP)


@pytest.fixture(scope="module")
def objects(run):
    return manifests(run)


def pod(objects):
    return find(objects, "CronJob", "backup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_the_objects_pass_the_apis_schemas_and_refer_to_what_exists(objects):
    assert schema_problems(objects) == []
    assert reference_problems(objects) == []


def test_the_cronjob_runs_once_per_interval_one_at_a_time(objects):
    spec = find(objects, "CronJob", "backup")["spec"]
    assert spec["schedule"] == "0 */6 * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    (container,) = pod(objects)["containers"]
    assert container["command"] == ["sh", "-c", BACKUP_SCRIPT.read_text(), "moorings-backup", "0", "5"]
    assert container["image"] == find(objects, "StatefulSet", "mysql")["spec"]["template"]["spec"]["containers"][0]["image"]


def test_it_writes_to_a_protected_claim_and_reads_wp_content_and_the_root_password_file(run, objects):
    claim = [r for r in run.resources if r.type == "kubernetes:core/v1:PersistentVolumeClaim" and r.name == "backups"]
    assert [c.protect for c in claim] == [True]
    assert find(objects, "PersistentVolumeClaim", "backups")["spec"]["resources"]["requests"] == {"storage": "20Gi"}
    (container,) = pod(objects)["containers"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/wp-content"]["readOnly"] is True and "readOnly" not in mounts["/backups"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["MYSQL_ROOT_PASSWORD_FILE"] == "/run/secrets/mysql-root-password"
    assert env["MYSQL_HOST"] == "mysql" and env["BACKUP_USER"] == "root"
    assert "MYSQL_ROOT_PASSWORD" not in env and "MYSQL_PWD" not in env


def test_it_runs_beside_a_wordpress_pod_for_a_read_write_once_claim(objects):
    (term,) = pod(objects)["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["labelSelector"]["matchLabels"]["app.kubernetes.io/name"] == "wordpress"
    assert term["topologyKey"] == "kubernetes.io/hostname"


def test_mysql_admits_its_pods_which_connect_only_to_mysql(objects):
    mysql = find(objects, "NetworkPolicy", "mysql")["spec"]
    admitted = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in mysql["ingress"][0]["from"]]
    assert "backup" in admitted
    own = find(objects, "NetworkPolicy", "backup")["spec"]
    assert own.get("ingress", []) == []


def test_the_policy_pack_finds_no_mandatory_violation(run, stack):
    found = [f"{v.policy} {v.resource}: {v.message}" for v in analyze(run, stack) if v.level == "mandatory"]
    assert found == []
