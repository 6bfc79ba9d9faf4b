"""An external database on platform swarm under the mocks, with the committed swarm stack: no MySQL
of ours (no service, data volume or rotation commands), WordPress's tasks pointed at host:port
with the site user's password as a Swarm secret file, backups dumping it as that user; the policy
pack (swarm's config) finds nothing mandatory."""

import pytest

from tests.harness import plain_occurrences
from tests.kubernetes_support import run_stack
from tests.policy_harness import analyze

SERVICE = "docker:index/service:Service"
PASSWORD = "the external user's password"
EXTERNAL = {
    "mysql.externalHost": "db.example.com",
    "mysql.externalPort": 3307,
    "mysql.externalUser": "blog",
    "mysql.externalDatabase": "blogdb",
    "mysqlPassword": PASSWORD,
}


def deploy(changes=None):
    return run_stack("swarm", {**EXTERNAL, **(changes or {})}, secret_keys=["mysqlPassword"])


@pytest.fixture(scope="module")
def run():
    return deploy()


def spec(run, name):
    (component,) = [r for r in run.of_type("moorings:index:SwarmService") if r.name == name]
    (inner,) = [r for r in run.children_of(component) if r.type == SERVICE]
    return inner.inputs


def test_nothing_of_a_database_of_our_own_is_declared(run):
    names = {r.name for r in run.resources}
    assert not names & {"mysql", "mysql-data", "mysql-credentials", "mysql-credentials-close"}
    assert {"wordpress", "wp-content", "network"} <= names
    assert run.outputs["mysqlService"] == "db.example.com"


def test_wordpress_reaches_the_external_host_as_its_user_with_the_password_as_a_secret_file(run):
    container = spec(run, "wordpress")["taskSpec"]["containerSpec"]
    env = container["env"]
    assert (env["WORDPRESS_DB_HOST"], env["WORDPRESS_DB_USER"], env["WORDPRESS_DB_NAME"]) == ("db.example.com:3307", "blog", "blogdb")
    assert env["WORDPRESS_DB_PASSWORD_FILE"] == "/run/secrets/mysql-password"
    assert "/run/secrets/mysql-password" in [s["fileName"] for s in container["secrets"]]
    for resource in run.resources:
        assert plain_occurrences(resource.raw_inputs, PASSWORD) == [], resource.name


def test_wordpress_waits_for_nothing_of_a_database(run):
    (component,) = [r for r in run.of_type("moorings:index:SwarmService") if r.name == "wordpress"]
    assert not [urn for urn in component.depends_on if "mysql" in urn]


def test_backups_dump_the_external_database_as_the_sites_user():
    run = deploy({"backup.enabled": True})
    container = spec(run, "backup")["taskSpec"]["containerSpec"]
    assert container["env"] == {
        "BACKUP_USER": "blog",
        "MYSQL_DATABASE": "blogdb",
        "MYSQL_HOST": "db.example.com",
        "MYSQL_PASSWORD_FILE": "/run/secrets/mysql-password",
        "MYSQL_PORT": "3307",
    }
    assert [s["fileName"] for s in container["secrets"]] == ["/run/secrets/mysql-password"]


def test_the_policy_pack_finds_no_mandatory_violation(run):
    found = [f"{v.policy} {v.resource}: {v.message}" for v in analyze(run, "swarm") if v.level == "mandatory"]
    assert found == []
