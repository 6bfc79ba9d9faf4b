"""dev (recipe 1, the Compose recipe) through the real engine against the local dockerd, with
stand-in images under the stack's image settings. What a user checks by hand after
`pulumi up -s dev`: both containers running and healthy, the secrets as files readable by the
image's user and absent from the environment, MySQL unpublished, WordPress on 127.0.0.1 only."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest

from moorings.wordpress_builders.docker_confinement import MYSQL_CAPABILITIES, WORDPRESS_CAPABILITIES
from tests.docker_engine import docker, free_port, inspect, require_docker_engine
from tests.pulumi_engine import EngineProject, changed_steps, require_engine
from tests.standin_images import build

pytestmark = [pytest.mark.engine, pytest.mark.docker_engine]

STACK = "dev"
PREFIX = "moorings-dev"


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    require_engine()
    require_docker_engine()
    leftovers = docker("ps", "-aq", "--filter", f"name=^{PREFIX}-").stdout.split()
    if leftovers:
        pytest.fail(f"containers named {PREFIX}-* already exist here ({leftovers}); this test would take them over")
    project = EngineProject(tmp_path_factory.mktemp("dev"))
    project.init(STACK)
    project.set(STACK, "wordpress.image", build("wordpress"))
    project.set(STACK, "mysql.image", build("mysql"))
    project.port = free_port()
    project.set(STACK, "wordpress.port", str(project.port))
    try:  # a failed first `up` leaves what it created: destroy that too
        project.up(STACK)
        yield project
    finally:
        project.destroy(STACK, check=False)


def test_both_containers_run_and_mysql_is_healthy(dev):
    # `up` waits for the site, not for MySQL's first health check (10 s in): allow for it.
    deadline = time.monotonic() + 60
    while inspect(f"{PREFIX}-mysql")["State"]["Health"]["Status"] != "healthy" and time.monotonic() < deadline:
        time.sleep(1)
    mysql, wordpress = inspect(f"{PREFIX}-mysql"), inspect(f"{PREFIX}-wordpress")
    assert mysql["State"]["Health"]["Status"] == "healthy"
    assert wordpress["State"]["Running"]


def test_wordpress_answers_on_loopback_only_and_mysql_is_not_published(dev):
    bindings = inspect(f"{PREFIX}-wordpress")["HostConfig"]["PortBindings"]
    assert bindings == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(dev.port)}]}
    assert inspect(f"{PREFIX}-mysql")["HostConfig"]["PortBindings"] in ({}, None)
    with urllib.request.urlopen(f"http://127.0.0.1:{dev.port}/wp-login.php", timeout=10) as page:
        assert page.status == 200


@pytest.mark.parametrize("container, user, files", [
    ("mysql", "999", ["mysql-root-password", "mysql-password"]),
    ("wordpress", "33", ["mysql-password", "wordpress-auth-key"]),
])
def test_secret_files_are_readable_by_the_images_user_and_never_in_the_environment(dev, container, user, files):
    name = f"{PREFIX}-{container}"
    for file in files:
        read = docker("exec", "-u", user, name, "cat", f"/run/secrets/{file}")
        assert read.returncode == 0 and read.stdout, read.stderr
        written = docker("exec", "-u", user, name, "sh", "-c", f"echo x >> /run/secrets/{file}")
        assert written.returncode != 0  # read-only for everyone
        value = read.stdout
        env = inspect(name)["Config"]["Env"]
        assert not any(value in variable for variable in env)
    assert "no-new-privileges:true" in inspect(name)["HostConfig"]["SecurityOpt"]


@pytest.mark.parametrize("container, kept", [("mysql", MYSQL_CAPABILITIES), ("wordpress", WORDPRESS_CAPABILITIES)])
def test_each_container_runs_on_a_read_only_root_with_only_its_capabilities(dev, container, kept):
    host = inspect(f"{PREFIX}-{container}")["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["CapAdd"] == list(kept)


@pytest.mark.parametrize("container", ["mysql", "wordpress"])
def test_even_root_cannot_write_to_the_root_filesystem(dev, container):
    written = docker("exec", f"{PREFIX}-{container}", "sh", "-c", "echo x > /written")
    assert written.returncode != 0 and "Read-only file system" in written.stderr


@pytest.mark.parametrize("container, wrote", [
    ("mysql", ["/var/lib/mysql/mysql/index.html", "/var/run/mysqld/mysqld.pid", "/tmp/mysqld-tmp"]),
    ("wordpress", ["/var/www/html/wp-login.php", "/var/www/html/wp-content/index.php", "/var/run/apache2/apache2.pid"]),
])
def test_the_stand_ins_wrote_where_the_real_images_write(dev, container, wrote):
    for path in wrote:
        assert docker("exec", f"{PREFIX}-{container}", "test", "-s", path).returncode == 0, path


def test_both_come_back_after_a_restart_on_their_persisted_data(dev):
    # The second start is the one that needs DAC_OVERRIDE: root walks (mysql) or rewrites
    # (wordpress) directories its image's user owns.
    for container in ("mysql", "wordpress"):
        assert docker("restart", f"{PREFIX}-{container}").returncode == 0
    wait_healthy(f"{PREFIX}-mysql")
    assert inspect(f"{PREFIX}-wordpress")["State"]["Running"]
    with urllib.request.urlopen(f"http://127.0.0.1:{dev.port}/wp-login.php", timeout=10) as page:
        assert page.status == 200


def wait_healthy(container: str, seconds: int = 60) -> None:
    for _ in range(seconds):
        state = inspect(container)["State"]
        if state.get("Health", {}).get("Status") == "healthy":
            return
        assert state["Running"], docker("logs", container).stderr
        time.sleep(1)
    pytest.fail(f"{container} not healthy after {seconds}s")


@pytest.mark.parametrize("container", ["mysql", "wordpress"])
def test_the_secrets_arrive_on_a_read_only_volume_through_a_carrier_that_never_runs(dev, container):
    (mount,) = [m for m in inspect(f"{PREFIX}-{container}")["Mounts"] if m["Destination"] == "/run/secrets"]
    assert mount["Type"] == "volume" and mount["RW"] is False
    assert mount["Name"] == f"{PREFIX}-{container}-secrets"  # kept across rotations: files rewritten in place
    carrier = inspect(f"{PREFIX}-{container}-secrets")["State"]
    assert carrier["Status"] == "created" and carrier["StartedAt"].startswith("0001-")


def test_a_second_up_changes_nothing(dev):
    assert changed_steps(dev.preview_json(STACK)) == []


def test_destroy_leaves_no_container_volume_or_network_behind(dev):
    dev.destroy(STACK)
    for kind in ("ps -a", "volume ls", "network ls"):
        listed = subprocess.run(["docker", *kind.split(), "-q", "--filter", f"name={PREFIX}"],
                                capture_output=True, text=True).stdout
        assert listed.strip() == "", kind
