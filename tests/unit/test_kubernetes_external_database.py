"""Kubernetes with an external database (mysql.externalHost), checked as objects: no MySQL of the
stack's (claim, StatefulSet, Service, rotation Jobs), WordPress pointed at host:port, its
NetworkPolicy's egress to that address only, the backups' CronJob dumping it as the site's user;
the API's schemas, the references and the policy pack (staging's and prod's configs)."""

import pytest

from tests.kubernetes_checks import reference_problems, schema_problems
from tests.kubernetes_support import container, deploy, find, manifests
from tests.harness import plain_occurrences
from tests.policy_harness import analyze

PASSWORD = "the external user's password"


def external(stack, host):
    return deploy(
        stack,
        {"mysql.externalHost": host, "mysql.externalPort": 3307, "mysql.externalUser": "blog", "mysqlPassword": PASSWORD,
         "mysqlRootPassword": None, "backup.enabled": True},
        secret_keys=["mysqlPassword"],
    )


@pytest.fixture(scope="module", params=["staging", "prod"])
def stack(request):
    return request.param


@pytest.fixture(scope="module")
def run(stack):
    return external(stack, "10.0.0.5")


@pytest.fixture(scope="module")
def objects(run):
    return manifests(run)


def test_nothing_of_a_database_of_the_stacks_own(objects):
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert not {k for k in kinds if k[0] in ("StatefulSet", "Job")}
    assert ("PersistentVolumeClaim", "mysql-data") not in kinds and ("Service", "mysql") not in kinds
    assert ("NetworkPolicy", "mysql") not in kinds


def test_the_objects_pass_the_apis_schemas_and_refer_to_what_exists(objects):
    assert schema_problems(objects) == []
    assert reference_problems(objects) == []


def test_wordpress_connects_to_the_external_host_as_its_user(objects):
    env = {e["name"]: e.get("value") for e in container(find(objects, "Deployment", "wordpress"))["env"]}
    assert env["WORDPRESS_DB_HOST"] == "10.0.0.5:3307" and env["WORDPRESS_DB_USER"] == "blog"
    assert env["WORDPRESS_DB_PASSWORD_FILE"] == "/run/secrets/mysql-password"


@pytest.mark.parametrize("workload", ["wordpress", "backup"])
def test_its_clients_reach_the_database_at_its_address_and_port_only(objects, workload):
    egress = find(objects, "NetworkPolicy", workload)["spec"]["egress"]
    database = [rule for rule in egress if rule["ports"][0]["port"] == 3307]
    assert [rule["to"] for rule in database] == [[{"ipBlock": {"cidr": "10.0.0.5/32"}}]]


def test_a_host_name_is_any_address_on_the_port_since_a_policy_names_no_host():
    objects = manifests(external("staging", "db.example.com"))
    egress = find(objects, "NetworkPolicy", "wordpress")["spec"]["egress"]
    assert {"ports": [{"port": 3307, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]} in egress


def test_the_backups_dump_it_as_the_sites_user(objects):
    cronjob = find(objects, "CronJob", "backup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (job,) = cronjob["containers"]
    env = {e["name"]: e.get("value") for e in job["env"]}
    assert (env["MYSQL_HOST"], env["MYSQL_PORT"], env["BACKUP_USER"]) == ("10.0.0.5", "3307", "blog")
    assert env["MYSQL_PASSWORD_FILE"] == "/run/secrets/mysql-password"


def test_the_password_stays_a_secret(run):
    for resource in run.resources:
        assert plain_occurrences(resource.raw_inputs, PASSWORD) == [], resource.name


def test_the_policy_pack_finds_no_mandatory_violation(run, stack):
    found = [f"{v.policy} {v.resource}: {v.message}" for v in analyze(run, stack) if v.level == "mandatory"]
    assert found == []
