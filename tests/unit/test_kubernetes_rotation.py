"""Kubernetes: the database credentials rotated online by two Jobs around the roll
(moorings/wordpress_builders/kubernetes/rotation.py), as the program declares them."""

import pytest

from tests.harness import differences
from tests.kubernetes_support import container, deploy, find, manifests

JOB = "kubernetes:batch/v1:Job"
SECRET = "kubernetes:core/v1:Secret"


def with_passwords(root, user, **changes):
    return deploy(
        "staging",
        {"mysqlRootPassword": root, "mysqlPassword": user, **changes},
        secret_keys=["mysqlRootPassword", "mysqlPassword"],
    )


@pytest.fixture(scope="module")
def run():
    return with_passwords("Root-Pw-1", "User-Pw-1")


@pytest.fixture(scope="module")
def objects(run):
    return manifests(run)


def job_named(objects, prefix):
    (job,) = [o for o in objects if o["kind"] == "Job" and o["metadata"]["name"].rsplit("-", 1)[0] == prefix]
    return job


def volumes(job):
    return {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}


def test_the_open_job_reads_the_new_secret_and_the_optional_record_as_files(objects):
    job = job_named(objects, "mysql-credentials")
    bundle = find(objects, "Deployment", "wordpress")["spec"]["template"]["spec"]["volumes"]
    (mounted,) = [v["secret"]["secretName"] for v in bundle if v["name"] == "secrets"]
    found = volumes(job)
    assert found["secrets"]["secret"]["secretName"] == mounted  # the new Secret, the one WordPress rolls to
    assert found["record"]["secret"] == {
        "secretName": "mysql-credentials",
        "optional": True,
        "defaultMode": 0o400,
        "items": [{"key": "mysql-root-password", "path": "mysql-root-password"}, {"key": "mysql-password", "path": "mysql-password"}],
    }
    args = container(job)["args"]
    assert args[:4] == ["wordpress", "open", "/run/secrets", "/run/moorings-record"]


def test_the_close_job_reads_only_the_new_secret(objects):
    job = job_named(objects, "mysql-credentials-close")
    assert sorted(volumes(job)) == ["secrets"]
    assert container(job)["args"][:2] == ["wordpress", "close"]


@pytest.mark.parametrize("prefix", ["mysql-credentials", "mysql-credentials-close"])
def test_each_job_runs_once_restricted_as_mysqls_user_and_no_password_is_in_its_spec(objects, prefix):
    job = job_named(objects, prefix)
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and job["spec"]["backoffLimit"] == 2
    assert pod["securityContext"]["runAsUser"] == 999 and pod["securityContext"]["runAsNonRoot"] is True
    assert container(job)["securityContext"]["allowPrivilegeEscalation"] is False
    assert container(job)["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert container(job)["image"] == find(objects, "StatefulSet", "mysql")["spec"]["template"]["spec"]["containers"][0]["image"]
    spec = str(job)
    assert "Root-Pw-1" not in spec and "User-Pw-1" not in spec


def test_the_order_is_new_secret_then_open_then_mysql_then_wordpress_then_close(run):
    opened, closed = run.one(JOB, "mysql-credentials"), run.one(JOB, "mysql-credentials-close")
    mysql = run.one("kubernetes:apps/v1:StatefulSet", "mysql")
    wordpress = run.one("kubernetes:apps/v1:Deployment", "wordpress")
    assert opened.urn in mysql.depends_on
    assert run.one(SECRET, "mysql-credentials-record").urn in mysql.depends_on  # the first record, then MySQL
    assert mysql.urn in wordpress.depends_on
    assert wordpress.urn in closed.depends_on
    # The record of what the database has is rewritten only once the database has it.
    record = run.one(SECRET, "mysql-credentials-record")
    assert opened.urn in record.depends_on
    assert record.input_is_secret("stringData")
    assert record.inputs["stringData"] == {"mysql-root-password": "Root-Pw-1", "mysql-password": "User-Pw-1"}


def mysql_secret_volume(objects) -> dict:
    (volume,) = [v for v in find(objects, "StatefulSet", "mysql")["spec"]["template"]["spec"]["volumes"] if v["name"] == "secrets"]
    return volume["secret"]


def test_mysql_reads_its_password_files_from_the_record_whose_name_a_rotation_keeps(objects):
    assert mysql_secret_volume(objects) == {
        "secretName": "mysql-credentials",
        "defaultMode": 0o400,
        "items": [{"key": "mysql-root-password", "path": "mysql-root-password"}, {"key": "mysql-password", "path": "mysql-password"}],
    }
    (mysql,) = find(objects, "StatefulSet", "mysql")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in mysql["env"]}
    assert env["MYSQL_ROOT_PASSWORD_FILE"] == "/run/secrets/mysql-root-password"
    assert env["MYSQL_PASSWORD_FILE"] == "/run/secrets/mysql-password"


def test_a_rotation_is_a_new_pair_of_jobs_a_new_record_and_wordpress_rolls_but_not_mysql(run):
    # MySQL restarting on a new Secret's name failed requests for 21.6 s on a real node.
    rotated = with_passwords("Root-Pw-1", "User-Pw-2")
    touched = sorted({line.split(" ")[0].rsplit("::", 1)[1] for line in differences(run, rotated)})
    assert touched == ["mysql-credentials", "mysql-credentials-close", "mysql-credentials-record", "secret", "wordpress"]
    for prefix in ("mysql-credentials", "mysql-credentials-close"):
        assert job_named(manifests(rotated), prefix)["metadata"]["name"] != job_named(manifests(run), prefix)["metadata"]["name"]


def test_the_same_passwords_keep_the_same_jobs(run):
    again = with_passwords("Root-Pw-1", "User-Pw-1")
    assert differences(run, again) == []


def test_with_online_rotation_off_there_is_no_job_no_record_and_mysql_admits_wordpress_only():
    run = with_passwords("Root-Pw-1", "User-Pw-1", **{"mysql.onlineRotation": False})
    objects = manifests(run)
    assert [o["kind"] for o in objects if o["kind"] == "Job"] == []
    assert [o["metadata"]["name"] for o in objects if o["kind"] == "Secret"] != [] and not any(
        o["metadata"]["name"] == "mysql-credentials" for o in objects if o["kind"] in ("Secret", "NetworkPolicy")
    )
    assert mysql_secret_volume(objects)["secretName"] != "mysql-credentials"  # the bundle's, rolled to
    (rule,) = find(objects, "NetworkPolicy", "mysql")["spec"]["ingress"]
    assert [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in rule["from"]] == ["wordpress"]
