"""Backups that restore on platform swarm (issue 23), with the real application: the swarm stack
(single node, the edge routing) with backup.enabled; publish a post with an image, back up on
demand (`scripts/backups.sh now`), destroy the stack (its protected backups volume stays), bring
up a fresh, empty stack, restore (`scripts/backups.sh restore`, a one-off job service), and the
post and the upload are served again over HTTP.

The stack is `swarmbackup` (prefix moorings-swarmbackup): never `swarm`, whose tests use the same
engine. It makes a swarm of its own and needs the engine outside any swarm: run it, like every
test that inits a swarm, under `flock /tmp/moorings-swarm.lock`. Teardown destroys the stack,
leaves the swarm only if this stack made it, and removes any moorings-swarmbackup-* volume left,
even when a test failed."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import yaml

from tests.app.app_images import built_images, swarm_application_settings
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.app.wordpress_client import WordPressSite, post_path
from tests.docker_engine import docker, swarm_info
from tests.pulumi_engine import EngineProject, require_engine
from tests.stack_config import ROOT

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "swarmbackup"
PREFIX = f"moorings-{STACK}"
BACKUPS = ROOT / "scripts" / "backups.sh"
SCRIPT_TIMEOUT = 660  # `now` waits at most 10 minutes for the backup


def backups(*args: str) -> subprocess.CompletedProcess:
    """scripts/backups.sh, as an operator runs it on the manager."""
    return subprocess.run(["bash", str(BACKUPS), *args], capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)


def leave_swarm_if_ours() -> None:
    if swarm_info("LocalNodeState") != "inactive":
        label = docker("node", "inspect", "--format", '{{index .Spec.Labels "moorings.created-by"}}', swarm_info("NodeID"))
        if label.stdout.strip() == PREFIX:
            docker("swarm", "leave", "--force")


def our_volumes() -> list[str]:
    listed = docker("volume", "ls", "--format", "{{.Name}}", "--filter", f"name={PREFIX}-").stdout.split()
    return sorted(name for name in listed if name.startswith(f"{PREFIX}-"))


def remove_our_volumes(within: float = 60) -> None:
    """The stack's volumes, once the task containers a swarm leaves behind for a moment let go of them."""
    deadline = time.monotonic() + within
    while our_volumes() and time.monotonic() < deadline:
        for volume in our_volumes():
            users = docker("ps", "-aq", "--filter", f"volume={volume}").stdout.split()
            if users:
                docker("rm", "--force", *users)
            docker("volume", "rm", volume)
        time.sleep(1)


def init_from_swarm(project: EngineProject, images: dict[str, str]) -> None:
    """A stack with the committed swarm stack's settings, on the application images, WordPress alone."""
    committed = yaml.safe_load((project.dir / "stacks" / "Pulumi.swarm.yaml").read_text())
    committed["config"].pop("moorings:services", None)  # the recipe's nginx demo is not the application
    project.init(STACK)
    stack_file = project.stack_file(STACK)
    ours = yaml.safe_load(stack_file.read_text()) if stack_file.exists() else {}
    stack_file.write_text(yaml.safe_dump({**committed, **{k: v for k, v in (ours or {}).items() if k != "config"}}))
    config_dir = project.dir / "policies" / "config"
    shutil.copy(config_dir / "swarm.json", config_dir / f"{STACK}.json")
    for path, value in {**swarm_application_settings(images), "backup.enabled": "true", "backup.keep": "2"}.items():
        project.set(STACK, path, value)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_engine()
    images = built_images()
    if swarm_info("LocalNodeState") != "inactive":
        pytest.fail("this Docker Engine is already in a swarm; run this test under flock /tmp/moorings-swarm.lock, outside any swarm")
    if our_volumes():
        pytest.fail(f"volumes named {PREFIX}-* already exist on this engine ({our_volumes()}); this test would take them over")
    project = EngineProject(tmp_path_factory.mktemp("app-swarm-backup"))
    init_from_swarm(project, images)
    try:
        project.up(STACK)
        yield SiteUnderTest(project, STACK)
    finally:
        project.pulumi("state", "unprotect", "--all", "-s", STACK, "--yes", check=False)
        project.destroy(STACK, check=False)
        leave_swarm_if_ours()
        remove_our_volumes()


def test_publish_a_post_with_an_image(site):
    site.admin, site.published = publish(site.url)
    assert_served(site.url, site.published, timeout=10)


def test_a_backup_on_demand_through_the_backup_task(site):
    started = time.monotonic()
    taken = backups("now", STACK)
    assert taken.returncode == 0, taken.stderr
    site.backup = taken.stdout.strip()
    print(f"swarm: backup {site.backup} in {time.monotonic() - started:.1f} s")
    assert backups("list", STACK).stdout.split() == [site.backup]


def test_destroy_with_the_data_volumes_unprotected_keeps_only_the_backups_volume(site):
    # swarm's policy config wants the data volumes protected: a user lifts it to lose the site.
    for volume in ("mysql-data", "wp-content"):
        urn = next(
            r["urn"] for r in json.loads(site.project.export(STACK))["deployment"]["resources"]
            if r["type"] == "docker:index/volume:Volume" and r["urn"].endswith(f"::{volume}")
        )
        site.project.pulumi("state", "unprotect", "-s", STACK, urn, "--yes")
    refused = site.project.destroy(STACK, check=False)
    assert refused.returncode != 0 and "protect" in refused.stdout + refused.stderr
    assert our_volumes() == [f"{PREFIX}-backups"]


def test_a_fresh_stack_restores_the_post_and_the_upload(site):
    site.project.up(STACK)
    page = WordPressSite(site.url).get(post_path(site.published.post_id))
    assert "/wp-admin/install.php" in page.url, (page.status, page.url)
    volumes_before = set(docker("volume", "ls", "-q").stdout.split())
    started = time.monotonic()
    restored = backups("restore", STACK, site.backup)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    print(f"swarm: restored {site.backup} in {time.monotonic() - started:.1f} s")
    left = set(docker("volume", "ls", "-q").stdout.split()) - volumes_before
    assert [v for v in left if not v.startswith(f"{PREFIX}-")] == [], "the restore job left an anonymous volume"
    assert_served(site.url, site.published, timeout=60)
    WordPressSite(site.url).log_in(site.published.user, site.published.password)
    assert docker("service", "ls", "-q", "--filter", f"name={PREFIX}-restore").stdout.strip() == ""
