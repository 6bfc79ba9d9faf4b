"""An external database (issue 23), with the real application on platform docker: the test starts
a MariaDB of its own (not the stack's), published on the engine's bridge gateway only, and the
stack `extdb` (prefix moorings-extdb) uses it through `mysql.external*` instead of deploying one:
the site is installed, a post with an image is published and served, its rows are in the external
database, a backup dumps it as the site's user, and `destroy` leaves that database and its data.

Teardown destroys the stack, removes any moorings-extdb-* object left and the test's own MariaDB,
even when a test failed."""

from __future__ import annotations

import secrets
import subprocess
import time

import pytest

from tests.app.app_images import built_images
from tests.app.scratch_stack import our_objects as scratch_objects, scratch_stack
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.docker_engine import docker, free_port
from tests.pulumi_engine import EngineProject, require_engine
from tests.stack_config import ROOT

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "extdb"
PREFIX = f"moorings-{STACK}"
DATABASE_CONTAINER = "moorings-extdbtest-mariadb"  # the test's, not the stack's: outside its prefix
USER, DATABASE = "blog", "blogdb"
READY_WITHIN = 90  # seconds for the test's MariaDB to initialise


def our_objects() -> list[str]:
    return sorted(name for names in scratch_objects(PREFIX).values() for name in names)


def bridge_gateway() -> str:
    """The default bridge's gateway: an address of this host every container's bridge can reach.
    An engine on a new data root lists no gateway for it until its second start (seen on a cold
    CI run: the database was then published on every address); the bridge's own address is it."""
    listed = docker("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}").stdout.strip()
    if listed:
        return listed
    bridge = docker("network", "inspect", "bridge", "--format", '{{index .Options "com.docker.network.bridge.name"}}').stdout.strip()
    shown = subprocess.run(["ip", "-4", "-o", "addr", "show", "dev", bridge or "docker0"], capture_output=True, text=True, timeout=30)
    fields = shown.stdout.split()
    assert "inet" in fields, f"no IPv4 address on the default bridge {bridge or 'docker0'}: {shown.stdout}{shown.stderr}"
    return fields[fields.index("inet") + 1].split("/")[0]


def query(sql: str) -> str:
    """SQL as the test database's root, its password read from the file inside the container."""
    answer = docker("exec", "-i", DATABASE_CONTAINER, "sh", "-c",
                    'MYSQL_PWD=$(cat /run/test-secrets/root) mariadb --protocol=tcp -h 127.0.0.1 -uroot -N -B',
                    stdin=sql)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


@pytest.fixture(scope="module")
def external_database(tmp_path_factory):
    """A MariaDB started for the test, its passwords in files (never in its environment or argv)."""
    images = built_images()
    if docker("container", "inspect", DATABASE_CONTAINER).returncode == 0:
        pytest.fail(f"a container {DATABASE_CONTAINER} already exists on this engine; this test would take it over")
    folder = tmp_path_factory.mktemp("extdb-secrets")
    password = "Pw" + secrets.token_urlsafe(24)
    for name, value in (("root", "Pw" + secrets.token_urlsafe(24)), ("user", password)):
        (folder / name).write_text(value)
        (folder / name).chmod(0o444)
    gateway = bridge_gateway()
    started = docker(
        "run", "-d", "--name", DATABASE_CONTAINER, "-p", f"{gateway}::3306",
        "-v", f"{folder}:/run/test-secrets:ro",
        "-e", "MARIADB_ROOT_PASSWORD_FILE=/run/test-secrets/root", "-e", "MARIADB_PASSWORD_FILE=/run/test-secrets/user",
        "-e", f"MARIADB_USER={USER}", "-e", f"MARIADB_DATABASE={DATABASE}",
        images["mysql"],
    )
    try:
        assert started.returncode == 0, started.stderr
        port = int(docker("port", DATABASE_CONTAINER, "3306").stdout.split()[0].rsplit(":", 1)[1])
        deadline = time.monotonic() + READY_WITHIN
        while docker("exec", DATABASE_CONTAINER, "sh", "-c",
                     'MYSQL_PWD=$(cat /run/test-secrets/user) mariadb --protocol=tcp -h 127.0.0.1 -u' + USER + ' -e "SELECT 1"').returncode != 0:
            assert time.monotonic() < deadline, docker("logs", "--tail", "20", DATABASE_CONTAINER).stderr
            time.sleep(1)
        yield {"host": gateway, "port": port, "password": password, "images": images}
    finally:
        docker("rm", "-f", "-v", DATABASE_CONTAINER)


@pytest.fixture(scope="module")
def site(tmp_path_factory, external_database):
    require_engine()
    project = EngineProject(tmp_path_factory.mktemp("app-extdb"))
    images = external_database["images"]
    config = {
        "wordpress.image": images["wordpress"],
        "mysql.image": images["mysql"],
        "wordpress.port": str(free_port()),
        "wordpress.protect": "false",
        "mysql.externalHost": external_database["host"],
        "mysql.externalPort": str(external_database["port"]),
        "mysql.externalUser": USER,
        "mysql.externalDatabase": DATABASE,
        "backup.enabled": "true",
    }
    with scratch_stack(project, STACK, config):
        project.set(STACK, "mysqlPassword", external_database["password"], secret=True)
        done = project.up(STACK)
        assert external_database["password"] not in done.stdout + done.stderr
        yield SiteUnderTest(project, STACK)


def test_the_stack_deploys_no_database_of_its_own(site):
    assert f"{PREFIX}-mysql" not in our_objects() and f"{PREFIX}-mysql-data" not in our_objects()
    assert f"{PREFIX}-wordpress" in our_objects()


def test_install_and_publish_on_the_external_database(site):
    site.admin, site.published = publish(site.url)
    assert_served(site.url, site.published, timeout=10)
    assert site.published.title in query(f"SELECT post_title FROM {DATABASE}.wp_posts WHERE post_status = 'publish';")


def test_a_backup_dumps_the_external_database_as_the_sites_user(site):
    taken = subprocess.run(["bash", str(ROOT / "scripts" / "backups.sh"), "now", STACK], capture_output=True, text=True, timeout=660)
    assert taken.returncode == 0, taken.stderr
    dump = docker("exec", f"{PREFIX}-backup", "sh", "-c", f"gunzip -c /backups/{taken.stdout.strip()}/database.sql.gz")
    assert site.published.title in dump.stdout


def test_destroy_leaves_the_external_database_and_its_data(site):
    site.project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes")  # the backups volume
    site.project.destroy(STACK)
    assert our_objects() == []
    assert site.published.title in query(f"SELECT post_title FROM {DATABASE}.wp_posts WHERE post_status = 'publish';")
