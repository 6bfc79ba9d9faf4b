"""The Docker Engine restarted under a docker stack with the real application (issue 23): alone,
and in the middle of `pulumi up`. The engine is one this module starts for itself
(tests/node_engine.py: its own dockerd, data root and network namespace), so restarting it
touches nothing else on the machine; the site it publishes on the namespace's 127.0.0.1 is
forwarded to this host's 127.0.0.1 at the same port (tests/netns_forward.py), where the stack's
`url` output, the `up`'s readiness probe and the visitor reach it.

- Restarted with the site idle: the engine stops the containers and starts them again
  (`restart: unless-stopped`); the post is served again with no deploy.
- Restarted while `up` replaces WordPress's container: that `up` fails or finishes; either way a
  plain `up` (the launcher, as a user runs it) converges, with the data intact, every container
  the one the state knows, no pending operation, and nothing more to do.
The figures (seconds the engine was down, what the interrupted `up` said, seconds until the post
was served again) are printed."""

from __future__ import annotations

import shutil
from typing import Optional

import pytest

from tests.app.restartable_engine import assert_a_plain_up_converges, module_engine, restart, restarted_during_up
from tests.app.scratch_stack import disposable_site
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.netns_forward import NetnsForward
from tests.netns_lab import netns_path
from tests.node_engine import NodeEngine
from tests.pulumi_engine import EngineProject, changed_steps

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "restart"
PREFIX = f"moorings-{STACK}"
NETNS = "moorings-engine-restart"
CONTAINERS = [f"{PREFIX}-{name}" for name in ("mysql", "mysql-secrets", "wordpress", "wordpress-secrets")]
CONTAINER = "docker:index/container:Container"
REPLACE_WITHIN = 300  # seconds `up` gets to begin the replacement


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    yield from module_engine(NETNS, tmp_path_factory.mktemp("engine-restart"), ("wordpress", "mysql"))


@pytest.fixture(scope="module")
def site(engine, tmp_path_factory):
    project = EngineProject(tmp_path_factory.mktemp("app-engine-restart"))
    project.env["DOCKER_HOST"] = engine.host  # the provider, and the name hook's `docker`
    config = disposable_site(engine.images)
    config_dir = project.dir / "policies" / "config"
    shutil.copy(config_dir / "dev.json", config_dir / f"{STACK}.json")
    project.init(STACK)
    for key, value in config.items():
        project.set(STACK, key, value)
    with NetnsForward(netns_path(NETNS), int(config["wordpress.port"])):
        project.up(STACK)
        site = SiteUnderTest(project, STACK)
        site.admin, site.published = publish(site.url)
        yield site


def container_ids(engine: NodeEngine) -> dict[str, str]:
    """Name -> ID of the stack's containers on the test's engine, running or not."""
    listed = engine.docker("ps", "-a", "--no-trunc", "--filter", f"name={PREFIX}-", "--format", "{{.Names}} {{.ID}}").stdout
    return dict(line.split() for line in listed.splitlines() if line.strip())


def test_restarted_with_the_site_idle_the_engine_brings_the_containers_back_with_no_deploy(engine, site):
    before = container_ids(engine)
    down = restart(engine)
    served = assert_served(site.url, site.published)
    print(f"engine restarted idle: down {down:.1f} s; the post served {served:.1f} s after it answered")
    assert container_ids(engine) == before  # the same containers, started again by the engine
    assert changed_steps(site.project.preview_json(STACK)) == []


def test_restarted_while_up_replaces_wordpress_a_plain_up_converges_with_the_data(engine, site):
    project = site.project
    old = container_ids(engine)[f"{PREFIX}-wordpress"]
    project.taint(STACK, CONTAINER, "wordpress")

    def begun() -> bool:  # the old container deleted (delete-before-replace), the new one's create under way
        return container_ids(engine).get(f"{PREFIX}-wordpress") != old

    down, interrupted, said = restarted_during_up(project, STACK, engine, begun, within=REPLACE_WITHIN)
    print(f"engine restarted mid-up: down {down:.1f} s; that up exited {interrupted}: {said}")

    assert_a_plain_up_converges(site, CONTAINER, lambda: container_ids(engine), CONTAINERS, "engine restarted mid-up")


def test_destroy_on_the_restarted_engine_leaves_nothing(engine, site):
    project = site.project
    project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes")
    project.destroy(STACK)
    left: Optional[str] = engine.docker("ps", "-aq", "--filter", f"name={PREFIX}-").stdout.strip()
    volumes = engine.docker("volume", "ls", "-q", "--filter", f"name={PREFIX}-").stdout.strip()
    assert (left, volumes) == ("", "")
