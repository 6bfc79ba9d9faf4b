"""Faults on platform docker with the real application (issue 23): what a site goes through when
its database dies under traffic, and when `pulumi up` is killed half way through a replacement.

- The stack's first `up` is killed as soon as its network exists; a plain `up` finishes it (the
  network's name freed by moorings/engine_names.py if the kill beat the state's record of it).
- MySQL's process is killed (SIGKILL from the host, as the kernel's OOM killer does) while a
  visitor keeps reading a post: the engine restarts it (restart policy), and WordPress answers
  again with no deploy; the failed requests and the seconds to recover are printed.
- `pulumi up` is killed with SIGKILL (the CLI, its language host and providers) as soon as the
  replacement of a container has begun (a new port for WordPress, new WordPress keys for its
  secret files, MySQL replaced on its data volume); then a plain `pulumi up` (through the launcher
  scripts/setup.sh puts on PATH, as a user runs it), with nothing edited by hand, converges: the
  killed CLI's stale lock is cleared (toolchain/launcher/stale_locks.sh), every container of the
  stack is the one the state knows, none is left over, the interrupted create is cleared once the
  container exists again (toolchain/launcher/pending_creates.py) so no pending operation is
  left, the post and its upload are served, and a preview shows nothing more to do. Whether the kill left a container the state does not know
  (the name freed by moorings/engine_names.py) is printed.

The stack is `fault` (prefix moorings-fault): never `dev` or `swarm`, whose tests share the
engine. Teardown destroys it and removes any moorings-fault-* object left, even after a failure.
"""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Callable, Optional

import pytest

from tests.app.app_images import built_images
from tests.app.interrupted_up import finish_interrupted_up
from tests.app.request_loop import RequestLoop
from tests.app.scratch_stack import disposable_site, our_objects as scratch_objects, scratch_stack
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.app.wordpress_client import WordPressSite, post_path, wait_for
from tests.docker_engine import docker, free_port, inspect
from tests.pulumi_engine import EngineProject, changed_steps, require_engine

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "fault"
PREFIX = f"moorings-{STACK}"
CONTAINERS = [f"{PREFIX}-{name}" for name in ("mysql", "mysql-secrets", "wordpress", "wordpress-secrets")]
RECOVERED_WITHIN = 120  # seconds for MySQL to restart and WordPress to answer again
KILL_WITHIN = 300  # seconds `up` gets to reach the moment it is killed at


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The stack, configured and not yet deployed (the first test kills its first `up`)."""
    require_engine()
    images = built_images()
    project = EngineProject(tmp_path_factory.mktemp("app-faults"))
    with scratch_stack(project, STACK, disposable_site(images)):
        yield project


@pytest.fixture(scope="module")
def site(project):
    project.up(STACK)  # changes nothing once the first test has deployed it
    site = SiteUnderTest(project, STACK)
    site.admin, site.published = publish(site.url)
    return site


def container_id(name: str) -> Optional[str]:
    """The ID of the container named exactly `name` on the engine, or None."""
    listed = docker("ps", "-aq", "--no-trunc", "--filter", f"name=^/{name}$").stdout.split()
    return listed[0] if listed else None


def containers_in_state(project: EngineProject) -> dict[str, str]:
    """Container name -> ID, for every container the stack's state holds."""
    return project.ids_by_name(STACK, "docker:index/container:Container")


def network_id(name: str) -> Optional[str]:
    found = docker("network", "inspect", "--format", "{{.Id}}", name)
    return found.stdout.strip() if found.returncode == 0 else None


def test_a_first_up_killed_once_the_network_exists_is_finished_by_a_plain_up(project):
    """SIGKILL as soon as the stack's network exists: its name is fixed, so if the kill beat the
    state's record of it, the next `up`'s create would fail on the name but for its hook."""
    network = f"{PREFIX}-net"
    killed = project.up_killed_when(STACK, lambda: network_id(network) is not None, timeout=KILL_WITHIN)
    assert killed, "the first `up` ended before it created the network"
    left = network_id(network)
    unknown = left not in project.ids_by_name(STACK, "docker:index/network:Network").values()
    print(f"first up killed; {network} {'left unknown to the state' if unknown else 'recorded'}")

    finish_interrupted_up(project, STACK, "network", network, unknown, "first up killed")
    assert network_id(network) == project.ids_by_name(STACK, "docker:index/network:Network")[network]
    known = containers_in_state(project)
    assert sorted(known) == CONTAINERS and scratch_objects(PREFIX)["container"] == CONTAINERS
    assert scratch_objects(PREFIX)["network"] == [network]
    assert not project.deployment(STACK).get("pending_operations")
    url = json.loads(project.pulumi("stack", "output", "-s", STACK, "--json").stdout)["url"]
    page = WordPressSite(url).get("/")
    assert page.status == 200 and "/wp-admin/install.php" in page.url, (page.status, page.url)


def test_wordpress_answers_again_after_mysql_is_killed_under_traffic_without_a_deploy(site):
    mysql = inspect(f"{PREFIX}-mysql")
    restarts = mysql["RestartCount"]
    with RequestLoop(site.url + post_path(site.published.post_id)) as loop:
        time.sleep(3)  # answered before the fault
        killed_at = loop.now()
        os.kill(mysql["State"]["Pid"], signal.SIGKILL)  # the database's process, not `docker kill` (a stop)
        # Counted on requests sent after the kill: one sent before it may still end in a 200.
        wait_for(lambda: loop.serving_since(killed_at), RECOVERED_WITHIN, "WordPress serving the post again", every=0.2)
        served_at = loop.now()
        time.sleep(3)  # and it keeps answering
    times = [at for at, _ in loop.answers]
    slowest = max(b - a for a, b in zip(times, times[1:]))  # a request waiting on the database shows as a gap
    print(f"MySQL killed under traffic: {loop.summary()}; served again for good {loop.back_after(killed_at):.1f} s "
          f"after the kill; the longest wait for an answer {slowest:.1f} s")
    assert inspect(f"{PREFIX}-mysql")["RestartCount"] == restarts + 1  # restarted by the engine, not by us
    assert [(at, status) for at, status in loop.failures if at >= served_at] == [], loop.summary()
    assert_served(site.url, site.published, timeout=10)


def replace_wordpress_by_a_new_port(site: SiteUnderTest) -> str:
    site.project.set(STACK, "wordpress.port", str(free_port()))
    return f"{PREFIX}-wordpress"


def replace_wordpress_keys(site: SiteUnderTest) -> str:
    """New WordPress keys (one key tainted): new secret files, written by a new carrier."""
    site.project.taint(STACK, "random:index/randomPassword:RandomPassword", "wordpress-auth-key")
    return f"{PREFIX}-wordpress-secrets"


def replace_mysql(site: SiteUnderTest) -> str:
    """MySQL replaced on its data volume (as an image change does)."""
    site.project.taint(STACK, "docker:index/container:Container", "mysql")
    return f"{PREFIX}-mysql"


@pytest.mark.parametrize(
    "replacement",
    [replace_wordpress_by_a_new_port, replace_wordpress_keys, replace_mysql],
    ids=["wordpress-container", "wordpress-secret-files", "mysql-container"],
)
def test_an_up_killed_while_a_container_is_replaced_is_finished_by_a_plain_up(site, replacement: Callable[[SiteUnderTest], str]):
    project = site.project
    name = replacement(site)
    old = container_id(name)
    assert old is not None
    # SIGKILL as soon as the new container exists: the provider is creating it, or just did.
    killed = project.up_killed_when(STACK, lambda: container_id(name) not in (None, old), timeout=KILL_WITHIN)
    assert killed, f"`up` ended before it replaced {name}"
    left = container_id(name)
    unknown = left is not None and left not in containers_in_state(project).values()
    print(f"{replacement.__name__}: up killed; {name} {'left unknown to the state' if unknown else 'recorded'}")

    finish_interrupted_up(project, STACK, "container", name, unknown, replacement.__name__)  # what a user does next
    known = containers_in_state(project)
    assert sorted(known) == CONTAINERS
    assert scratch_objects(PREFIX)["container"] == CONTAINERS  # nothing left over beside them
    assert all(container_id(each) == known[each] for each in CONTAINERS)
    assert not project.deployment(STACK).get("pending_operations")
    assert_served(site.url, site.published, timeout=60)
    assert changed_steps(project.preview_json(STACK)) == []
