"""dev (recipe 1, the Compose recipe) through the real engine against the local dockerd, with
stand-in images under the stack's image settings. What a user checks by hand after
`pulumi up -s dev`: both containers running and healthy, the secrets as files readable by the
image's user and absent from the environment, MySQL unpublished, WordPress on 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request

import pytest

from tests.docker_engine import docker, require_docker_engine
from tests.pulumi_engine import EngineProject, changed_steps, require_engine
from tests.standin_images import build

pytestmark = pytest.mark.engine

STACK = "dev"
PREFIX = "moorings-dev"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def inspect(container: str) -> dict:
    return json.loads(docker("inspect", container).stdout)[0]


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
    project.up(STACK)
    yield project
    project.destroy(STACK, check=False)


def test_both_containers_run_and_mysql_is_healthy(dev):
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


def test_a_second_up_changes_nothing(dev):
    assert changed_steps(dev.preview_json(STACK)) == []


def test_destroy_leaves_no_container_volume_or_network_behind(dev):
    dev.destroy(STACK)
    for kind in ("ps -a", "volume ls", "network ls"):
        listed = subprocess.run(["docker", *kind.split(), "-q", "--filter", f"name={PREFIX}"],
                                capture_output=True, text=True).stdout
        assert listed.strip() == "", kind
