"""Backups that restore (issue 23), with the real application on platform docker: publish a post
with an image, back up on demand (`scripts/backups.sh now`), destroy the stack (its protected
backups volume stays), bring up a fresh, empty stack, restore (`scripts/backups.sh restore`), and
the post and the upload are served again over HTTP.

The stack is `backup` (prefix moorings-backup): never `dev` or `swarm`, whose tests run on the
same engine. Teardown lifts the protection, destroys, and removes any moorings-backup-* object
left, even when a test failed."""

from __future__ import annotations

import time

import pytest

from tests.app.app_images import built_images
from tests.app.backups_script import backups
from tests.app.scratch_stack import disposable_site, our_objects as scratch_objects, scratch_stack
from tests.app.site_content import SiteUnderTest, assert_served, publish
from tests.app.wordpress_client import WordPressSite, post_path
from tests.docker_engine import inspect
from tests.pulumi_engine import EngineProject, require_engine

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "backup"
PREFIX = f"moorings-{STACK}"
KEEP = 2


def our_objects() -> dict[str, list[str]]:
    return scratch_objects(PREFIX)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_engine()
    images = built_images()
    project = EngineProject(tmp_path_factory.mktemp("app-backup"))
    config = disposable_site(images, backup__enabled="true", backup__keep=str(KEEP))
    with scratch_stack(project, STACK, config):
        project.up(STACK)
        yield SiteUnderTest(project, STACK)


def test_publish_a_post_with_an_image(site):
    site.admin, site.published = publish(site.url)
    assert_served(site.url, site.published, timeout=10)


def test_the_backup_container_is_confined_and_reads_the_root_password_from_a_file(site):
    config, host = inspect(f"{PREFIX}-backup")["Config"], inspect(f"{PREFIX}-backup")["HostConfig"]
    assert host["ReadonlyRootfs"] is True and host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql-root-password" in config["Env"]
    assert not any(var.startswith(("MYSQL_ROOT_PASSWORD=", "MYSQL_PWD=")) for var in config["Env"])
    mounts = {m["Destination"]: m for m in inspect(f"{PREFIX}-backup")["Mounts"]}
    assert mounts["/wp-content"]["RW"] is False and mounts["/run/secrets"]["RW"] is False
    assert mounts["/backups"]["Name"] == f"{PREFIX}-backups"


def test_a_backup_on_demand_and_only_the_newest_are_kept(site):
    names = []
    for _ in range(KEEP + 1):
        started = time.monotonic()
        taken = backups("now", STACK)
        assert taken.returncode == 0, taken.stderr
        names.append(taken.stdout.strip())
        print(f"backup {names[-1]} in {time.monotonic() - started:.1f} s")
    listed = backups("list", STACK)
    assert listed.stdout.split() == names[-KEEP:], listed.stdout  # the oldest is gone
    site.backup = names[-1]


def test_destroy_keeps_only_the_protected_backups_volume(site):
    refused = site.project.destroy(STACK, check=False)
    assert refused.returncode != 0
    assert "backups" in refused.stdout + refused.stderr and "protect" in refused.stdout + refused.stderr
    assert our_objects() == {"container": [], "volume": [f"{PREFIX}-backups"], "network": []}


def test_a_fresh_stack_starts_empty_and_still_sees_the_backups(site):
    site.project.up(STACK)
    page = WordPressSite(site.url).get(post_path(site.published.post_id))
    assert "/wp-admin/install.php" in page.url, (page.status, page.url)
    assert site.backup in backups("list", STACK).stdout.split()


def test_restore_brings_the_post_and_the_upload_back(site):
    started = time.monotonic()
    restored = backups("restore", STACK, site.backup)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    print(f"restored {site.backup} in {time.monotonic() - started:.1f} s")
    assert_served(site.url, site.published, timeout=30)
    admin = WordPressSite(site.url)
    admin.log_in(site.published.user, site.published.password)  # the admin of the backup, not of the fresh site


def test_restoring_a_backup_that_does_not_exist_is_refused_and_names_the_ones_there(site):
    refused = backups("restore", STACK, "20000101T000000Z")
    assert refused.returncode != 0
    assert "no complete backup named 20000101T000000Z" in refused.stderr and site.backup in refused.stderr
    assert_served(site.url, site.published, timeout=10)
