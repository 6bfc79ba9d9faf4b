"""The Docker Engine of a single-node swarm restarted under the swarm stack with the real
application (issue 23): alone, and in the middle of `pulumi up`. The engine is one this module
starts for itself (tests/app/restartable_engine.py) and the stack reaches it through
`swarm.dockerHost` alone: DOCKER_HOST points nowhere, so nothing of the stack touches this
machine's own engine. The edge publishes the site on the namespace's 127.0.0.1, forwarded to
this host's at the same port (tests/netns_forward.py).

- Restarted with the site idle: the manager comes back with its services and Swarm starts new
  tasks for the stopped ones; the post is served again with no deploy.
- Restarted while `up` replaces WordPress's service: that `up` fails or finishes; either way a
  plain `up` (the launcher, as a user runs it) converges, with the data intact, every service
  the one the state knows, no pending operation, and nothing more to do. Where the restart left
  a stale vxlan device (a Docker bug), the test deletes it as the docs tell a user to.
The figures (seconds the engine was down, what the interrupted `up` said, seconds until the post
was served again) are printed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.app.app_images import swarm_application_settings
from tests.app.restartable_engine import assert_a_plain_up_converges, module_engine, restart, restarted_during_up
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.app.wordpress_client import wait_for
from tests.netns_forward import NetnsForward
from tests.netns_lab import netns_path
from tests.node_engine import NodeEngine
from tests.pulumi_engine import EngineProject, changed_steps

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "restart-swarm"
PREFIX = f"moorings-{STACK}"
NETNS = "moorings-swarm-restart"
SERVICES = [f"{PREFIX}-{name}" for name in ("edge", "mysql", "wordpress")]
SERVICE = "docker:index/service:Service"
KINDS = ("service", "secret", "config", "network", "volume")
NOWHERE = "unix:///nonexistent/moorings-no-engine.sock"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    yield from module_engine(NETNS, tmp_path_factory.mktemp("swarm-restart"), ("wordpress", "mysql", "edge"))


@pytest.fixture(scope="module")
def site(engine, tmp_path_factory):
    project = EngineProject(tmp_path_factory.mktemp("app-swarm-restart"))
    project.env["DOCKER_HOST"] = NOWHERE  # the stack must reach its engine through swarm.dockerHost alone
    config_dir = project.dir / "policies" / "config"
    shutil.copy(config_dir / "swarm.json", config_dir / f"{STACK}.json")
    project.init(STACK)
    settings = {"platform": "swarm", "swarm.dockerHost": engine.host, **swarm_application_settings(engine.images)}
    for key, value in settings.items():
        project.set(STACK, key, value)
    with NetnsForward(netns_path(NETNS), int(settings["wordpress.port"])):
        try:
            project.up(STACK)
            site = SiteUnderTest(project, STACK)
            site.admin, site.published = publish(site.url)
            yield site
        finally:
            project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes", check=False)
            project.destroy(STACK, check=False)


def service_ids(engine: NodeEngine) -> dict[str, str]:
    """Name -> ID of the stack's services on the test's engine."""
    listed = engine.docker("service", "ls", "--filter", f"name={PREFIX}-", "--format", "{{.Name}} {{.ID}}").stdout
    ids = dict(line.split() for line in listed.splitlines() if line.strip())
    # `service ls` prints short IDs; the state holds full ones.
    return {name: engine.docker("service", "inspect", "--format", "{{.ID}}", short).stdout.strip() for name, short in ids.items()}


STALE_VXLAN = "error creating vxlan interface: file exists"


def free_stale_vxlan(engine: NodeEngine, freed: list[str]) -> None:
    """moby/libnetwork#1765: an engine stopped while it created an overlay's vxlan device leaves the
    device in the host's namespace (here the engine's), and every task on that network is then
    rejected with STALE_VXLAN until it is deleted (seen here: WordPress's, until it was deleted by hand).
    What docs/operators/data-safety.md tells a user to do, done once the tasks say so: a live
    overlay's device is in its network's own namespace, so a `vx-` device here is a stale one."""
    errors = engine.docker("service", "ps", "--no-trunc", "--format", "{{.Error}}", *service_ids(engine)).stdout
    if STALE_VXLAN not in errors:
        return
    listed = subprocess.run(["ip", "-n", NETNS, "-o", "link", "show", "type", "vxlan"], capture_output=True, text=True, timeout=30).stdout
    for device in [line.split(":")[1].strip() for line in listed.splitlines()]:
        subprocess.run(["ip", "-n", NETNS, "link", "delete", device], capture_output=True, timeout=30)
        freed.append(device)


def left_on(engine: NodeEngine) -> dict[str, str]:
    """The stack's objects still on the engine, by kind (Swarm kinds only while in a swarm)."""
    swarm = engine.docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
    found = {
        kind: engine.docker(kind, "ls", "-q", "--filter", f"name={PREFIX}").stdout.strip()
        for kind in KINDS
        if swarm == "active" or kind in ("network", "volume")
    }
    return {kind: ids for kind, ids in found.items() if ids}


def test_the_stack_runs_on_the_engine_of_swarm_docker_host(engine, site):
    assert sorted(service_ids(engine)) == SERVICES
    assert site.project.pulumi("stack", "output", "-s", STACK, "dockerHost").stdout.strip() == engine.host


def test_restarted_with_the_site_idle_the_swarm_brings_the_site_back_with_no_deploy(engine, site):
    before = service_ids(engine)
    down = restart(engine)
    served = assert_served(site.url, site.published)
    print(f"swarm engine restarted idle: down {down:.1f} s; the post served {served:.1f} s after it answered")
    assert service_ids(engine) == before  # the same services; Swarm started their tasks again
    assert changed_steps(site.project.preview_json(STACK)) == []


def test_restarted_while_up_replaces_the_wordpress_service_a_plain_up_converges_with_the_data(engine, site):
    project = site.project
    old = service_ids(engine)[f"{PREFIX}-wordpress"]
    project.taint(STACK, SERVICE, "wordpress")

    def begun() -> bool:  # the old service deleted (delete-before-replace), the new one's create under way
        return service_ids(engine).get(f"{PREFIX}-wordpress") != old

    freed: list[str] = []
    down, interrupted, said = restarted_during_up(project, STACK, engine, begun, meanwhile=lambda: free_stale_vxlan(engine, freed))
    print(f"swarm engine restarted mid-up: down {down:.1f} s; that up exited {interrupted}: {said}; "
          f"stale vxlan devices deleted (moby/libnetwork#1765): {freed or 'none'}")
    free_stale_vxlan(engine, freed)

    assert_a_plain_up_converges(site, SERVICE, lambda: service_ids(engine), SERVICES, "swarm engine restarted mid-up")


def test_destroy_on_the_restarted_engine_leaves_nothing_and_dissolves_the_swarm(engine, site):
    project = site.project
    project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes")
    project.destroy(STACK)
    # A task's container goes a moment after its service, and holds its volumes until then.
    wait_for(lambda: f"left: {left_on(engine)}" if left_on(engine) else None, 60, "nothing of the stack left")
    assert engine.docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "inactive"
