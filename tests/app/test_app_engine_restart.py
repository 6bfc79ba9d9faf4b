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

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest

from tests.app.app_images import built_images
from tests.app.scratch_stack import disposable_site
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.netns_forward import NetnsForward
from tests.netns_lab import end_pids, in_netns, ip, netns_path, pids_in_netns
from tests.node_engine import NodeEngine
from tests.pulumi_engine import EngineProject, TIMEOUT, changed_steps, require_engine
from tests.stack_config import ROOT

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "restart"
PREFIX = f"moorings-{STACK}"
NETNS = "moorings-engine-restart"
DNS = "198.18.99.1"  # RFC 2544's test range, on the namespace's loopback
CONTAINERS = [f"{PREFIX}-{name}" for name in ("mysql", "mysql-secrets", "wordpress", "wordpress-secrets")]
REPLACE_WITHIN = 300  # seconds `up` gets to begin the replacement


def load_image(image: str, engine: NodeEngine) -> None:
    """From this machine's engine into the test's (no registry to pull from)."""
    saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
    loaded = subprocess.run(["docker", "--host", engine.host, "load", "--quiet"], stdin=saved.stdout,
                            capture_output=True, text=True, timeout=600)
    saved.stdout.close()
    assert saved.wait(timeout=60) == 0 and loaded.returncode == 0, loaded.stderr


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    require_engine()
    images = built_images()
    if netns_path(NETNS).exists():
        pytest.fail(f"network namespace {NETNS} exists (left by an earlier run?): `ip netns del {NETNS}` once nothing runs in it")
    directory = tmp_path_factory.mktemp("engine-restart")
    ip("netns", "add", NETNS)
    # The namespace has no way out, and its containers' lookups (WordPress's install page asks for
    # api.wordpress.org) waited 10 s a name for the host's unreachable server: a server of the
    # namespace's own refuses them at once, as the host's answers there.
    engine = NodeEngine(NETNS, directory, "restart", options=("--dns", DNS))
    try:
        ip("-n", NETNS, "link", "set", "lo", "up")
        ip("-n", NETNS, "addr", "add", f"{DNS}/32", "dev", "lo")
        subprocess.Popen(in_netns(NETNS, sys.executable, "-m", "tests.refusing_dns", DNS), cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        engine.start()
        engine.wait_until_ready()
        for role in ("wordpress", "mysql"):
            load_image(images[role], engine)
        engine.images = images
        yield engine
    finally:
        engine.stop()
        engine.wait_stopped()
        engine.end_leftover_containers()
        end_pids(pids_in_netns(NETNS), grace=5)
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True, timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


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


def restart(engine: NodeEngine) -> float:
    """SIGTERM the engine (it stops its containers), start it again; the seconds it did not answer."""
    started = time.monotonic()
    engine.stop()
    engine.wait_stopped()
    engine.start()
    engine.wait_until_ready()
    return time.monotonic() - started


def container_ids(engine: NodeEngine) -> dict[str, str]:
    """Name -> ID of the stack's containers on the test's engine, running or not."""
    listed = engine.docker("ps", "-a", "--no-trunc", "--filter", f"name={PREFIX}-", "--format", "{{.Names}} {{.ID}}").stdout
    return dict(line.split() for line in listed.splitlines() if line.strip())


def containers_in_state(project: EngineProject) -> dict[str, str]:
    resources = json.loads(project.export(STACK))["deployment"]["resources"]
    return {r["outputs"]["name"]: r["id"] for r in resources if r["type"] == "docker:index/container:Container" and "id" in r}


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
    urn = next(r["urn"] for r in json.loads(project.export(STACK))["deployment"]["resources"]
               if r["type"] == "docker:index/container:Container" and r["urn"].endswith("::wordpress"))
    project.pulumi("state", "taint", "-s", STACK, urn, "--yes")
    log = project.dir / "interrupted-up.log"
    with open(log, "w") as out:
        up = subprocess.Popen([*project.launcher, "pulumi", "up", "-s", STACK, "--yes", "--skip-preview", "--non-interactive",
                               *project.policy_args(STACK)], cwd=project.dir, env=project.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + REPLACE_WITHIN
        # The old container deleted (delete-before-replace) and the new one's create under way.
        while container_ids(engine).get(f"{PREFIX}-wordpress") == old and up.poll() is None:
            assert time.monotonic() < deadline, "`up` did not begin replacing WordPress's container"
            time.sleep(0.2)
        assert up.poll() is None, f"`up` ended before the engine was restarted:\n{log.read_text()[-3000:]}"
        down = restart(engine)
        interrupted = up.wait(timeout=TIMEOUT)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    said = [line for line in log.read_text().splitlines() if "error" in line.lower()][:3]
    print(f"engine restarted mid-up: down {down:.1f} s; that up exited {interrupted}: {said}")

    started = time.monotonic()
    recovered = project.up_as_a_user(STACK)
    print(f"engine restarted mid-up: the next plain up took {time.monotonic() - started:.1f} s")
    served = assert_served(site.url, site.published)
    print(f"engine restarted mid-up: the post served {served:.1f} s after that up")
    known = containers_in_state(project)
    assert sorted(known) == CONTAINERS
    assert container_ids(engine) == known, (container_ids(engine), known, recovered.stdout[-2000:])
    assert not json.loads(project.export(STACK))["deployment"].get("pending_operations")
    assert changed_steps(project.preview_json(STACK)) == []


def test_destroy_on_the_restarted_engine_leaves_nothing(engine, site):
    project = site.project
    project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes")
    project.destroy(STACK)
    left: Optional[str] = engine.docker("ps", "-aq", "--filter", f"name={PREFIX}-").stdout.strip()
    volumes = engine.docker("volume", "ls", "-q", "--filter", f"name={PREFIX}-").stdout.strip()
    assert (left, volumes) == ("", "")
