"""dev (recipe 1) with the real application: WordPress and MariaDB built by scripts/images.sh, the
stack through the real engine, the site driven over HTTP as a person would. Each test is one
thing a user does to the stack, in order; after each, what they published is still served at
the stack's own `url` output, with the stack's hardening still on."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Iterator

import pytest

from tests.app.app_images import built_images
from tests.app.database_probe import database_accepts
from tests.app.request_loop import RequestLoop
from tests.app.browser import distinct_pixel_bytes, rendered_dom, screenshot
from tests.app.site_content import SiteUnderTest, assert_served, publish, rotate_database_passwords, session_problem
from tests.app.wordpress_client import WordPressSite, post_path, wait_for
from tests.docker_engine import docker, free_port, inspect
from tests.pulumi_engine import EngineProject, changed_steps, require_engine

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

STACK = "dev"
PREFIX = "moorings-dev"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def our_objects() -> list[str]:
    """Every container, volume and network of the stack on this engine."""
    found = []
    for kind in ("ps -a", "volume ls", "network ls"):
        listed = docker(*kind.split(), "-q", "--filter", f"name={PREFIX}-")
        found += listed.stdout.split()
    return found


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    require_engine()
    images = built_images()
    if our_objects():
        pytest.fail(f"objects named {PREFIX}-* already exist on this engine ({our_objects()}); this test would take them over")
    project = EngineProject(tmp_path_factory.mktemp("app-dev"))
    project.init(STACK)
    project.set(STACK, "wordpress.image", images["wordpress"])
    project.set(STACK, "mysql.image", images["mysql"])
    project.set(STACK, "wordpress.port", str(free_port()))
    try:  # a failed first `up` leaves what it created: destroy that too
        project.up(STACK)
        yield SiteUnderTest(project, STACK)
    finally:
        project.destroy(STACK, check=False)


def test_a_fresh_site_shows_wordpress_installer_at_the_url_output(dev):
    page = WordPressSite(dev.url).get("/")
    assert page.status == 200 and "/wp-admin/install.php" in page.url, (page.status, page.url)
    assert "Information needed" in page.text or "language" in page.text.lower()


def test_install_log_in_publish_a_post_and_upload_an_image(dev):
    dev.admin, dev.published = publish(dev.url)
    assert_served(dev.url, dev.published, timeout=10)
    assert session_problem(dev.admin) is None


def test_a_browser_renders_the_published_post(dev):
    url = dev.url + post_path(dev.published.post_id)
    assert dev.published.title in rendered_dom(url)
    shot = screenshot(url, SCREENSHOTS / "dev-post.png")
    assert distinct_pixel_bytes(shot) > 64, "the screenshot is (nearly) blank"


@pytest.mark.parametrize("name", ["mysql", "wordpress"])
def test_the_stacks_hardening_is_on_while_the_site_serves(dev, name):
    host = inspect(f"{PREFIX}-{name}")["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert all(options.startswith("rw,noexec,nosuid,nodev") for options in host["Tmpfs"].values())
    secrets = [m for m in inspect(f"{PREFIX}-{name}")["Mounts"] if m["Destination"] == "/run/secrets"]
    assert [m["RW"] for m in secrets] == [False]
    written = docker("exec", f"{PREFIX}-{name}", "sh", "-c", "echo x > /moorings-probe")
    assert written.returncode != 0 and "Read-only file system" in written.stderr


def test_docker_restart_of_both_containers_keeps_the_site(dev):
    restarted = docker("restart", f"{PREFIX}-mysql", f"{PREFIX}-wordpress")
    assert restarted.returncode == 0, restarted.stderr
    took = assert_served(dev.url, dev.published)
    print(f"served again {took:.1f} s after docker restart")
    assert wait_for(lambda: session_problem(dev.admin), 60, "the admin's session after the restart") >= 0


def test_a_second_up_changes_nothing_and_the_site_stays(dev):
    assert changed_steps(dev.project.preview_json(STACK)) == []
    dev.project.up(STACK)
    assert_served(dev.url, dev.published, timeout=10)


def test_a_port_change_replaces_wordpress_and_the_site_follows_to_the_new_url(dev):
    before_id, before_url = inspect(f"{PREFIX}-wordpress")["Id"], dev.url
    dev.project.set(STACK, "wordpress.port", str(free_port()))
    dev.project.up(STACK)
    after_url = dev.url
    assert after_url != before_url and inspect(f"{PREFIX}-wordpress")["Id"] != before_id
    # Served at the new address, not redirected to the one WordPress was installed at.
    assert_served(after_url, dev.published, timeout=10)
    site = WordPressSite(after_url)
    login = site.get("/wp-login.php")
    assert login.status == 200 and login.url.startswith(after_url), login.url
    site.log_in(dev.published.user, dev.published.password)
    assert session_problem(site) is None
    dev.admin = site


def test_a_replaced_mysql_container_keeps_the_data_and_the_next_up_is_a_no_op(dev):
    before = inspect(f"{PREFIX}-mysql")["Id"]
    dev.project.up(STACK, "--replace", dev.project.urn(STACK, "docker:index/container:Container", "mysql"))
    assert inspect(f"{PREFIX}-mysql")["Id"] != before
    assert_served(dev.url, dev.published, timeout=10)  # `up` returned on a working site
    assert session_problem(dev.admin) is None
    assert changed_steps(dev.project.preview_json(STACK)) == []


def current_user_password() -> str:
    """The database user's password as MySQL's container has it in its secret file."""
    return docker("exec", f"{PREFIX}-mysql", "cat", "/run/secrets/mysql-password").stdout


def test_a_password_rotation_is_set_in_the_running_database_and_no_request_fails(dev):
    containers = {name: inspect(f"{PREFIX}-{name}")["Id"] for name in ("mysql", "wordpress")}
    old_user = current_user_password()
    assert database_accepts(f"{PREFIX}-mysql", "wordpress", old_user)
    rotated = rotate_database_passwords(dev)
    # The user accepted both passwords while WordPress switched files: not one request failed.
    assert rotated.loop.failures == [], rotated.loop.summary()
    assert len(rotated.loop.answers) > 10, rotated.loop.summary()  # the visitor really kept reading
    # Nothing restarted: the database took the new passwords and WordPress read its new files.
    assert {name: inspect(f"{PREFIX}-{name}")["Id"] for name in containers} == containers
    assert database_accepts(f"{PREFIX}-mysql", "root", rotated.root)
    assert database_accepts(f"{PREFIX}-mysql", "wordpress", rotated.user)
    assert not database_accepts(f"{PREFIX}-mysql", "wordpress", old_user)  # retired by the closing step
    assert rotated.root not in rotated.output and rotated.user not in rotated.output
    assert_served(dev.url, dev.published, timeout=10)
    assert session_problem(dev.admin) is None  # the keys did not change: nobody was logged out
    assert changed_steps(dev.project.preview_json(STACK)) == []


def test_a_rotation_the_database_refuses_stops_up_before_any_consumer_and_a_second_up_finishes_it(dev):
    # Someone changed root's password by hand: the rotation can log in with neither value.
    by_hand = "Pw" + secrets.token_urlsafe(16)
    change = 'IFS= read -r MYSQL_PWD; IFS= read -r new; export MYSQL_PWD; mariadb --protocol=tcp -h 127.0.0.1 -uroot ' \
        '-e "SET PASSWORD FOR root@localhost = PASSWORD(\'$new\'); SET PASSWORD FOR root@\'%\' = PASSWORD(\'$new\');"'
    changed = docker("exec", "-i", f"{PREFIX}-mysql", "sh", "-c", change, stdin=f"{dev.mysql_root}\n{by_hand}\n")
    assert changed.returncode == 0, changed.stderr
    user = "Pw" + secrets.token_urlsafe(24)
    dev.project.set(STACK, "mysqlPassword", user, secret=True)
    failed = dev.project.pulumi("up", "-s", STACK, "--yes", "--skip-preview", check=False)
    assert failed.returncode != 0
    assert "accepts neither its current root password" in failed.stdout + failed.stderr
    assert user not in failed.stdout + failed.stderr and by_hand not in failed.stdout + failed.stderr
    assert_served(dev.url, dev.published, timeout=10)  # the consumers still have the old, working values
    # What the message says to do: give root the value the database has, then `up` again.
    dev.project.set(STACK, "mysqlRootPassword", by_hand, secret=True)
    dev.project.up(STACK)
    dev.mysql_root = by_hand
    assert database_accepts(f"{PREFIX}-mysql", "wordpress", user)
    assert_served(dev.url, dev.published, timeout=30)
    assert changed_steps(dev.project.preview_json(STACK)) == []


@contextlib.contextmanager
def released_lock(project: EngineProject, stack: str) -> Iterator[None]:
    """Whatever the test does, the module's other tests and its teardown find the stack unlocked."""
    try:
        yield
    finally:
        project.pulumi("cancel", "-s", stack, "--yes", check=False)


def test_an_up_killed_once_the_database_took_the_new_password_is_finished_by_a_plain_up(dev):
    old_user = current_user_password()
    user = "Pw" + secrets.token_urlsafe(24)
    dev.project.set(STACK, "mysqlPassword", user, secret=True)
    with RequestLoop(dev.url + post_path(dev.published.post_id)) as loop, released_lock(dev.project, STACK):
        # SIGKILL right after the open step: the database accepts both passwords, nothing else ran.
        killed = dev.project.up_killed_when(STACK, lambda: database_accepts(f"{PREFIX}-mysql", "wordpress", user))
        assert killed, "`up` ended before the database took the new password"
        assert database_accepts(f"{PREFIX}-mysql", "wordpress", old_user)  # WordPress still logs in
        # What a user does next, no state edited by hand: a plain `up` (Moorings' launcher
        # removes the killed run's lock, saying so) finishes the rotation.
        finished = dev.project.up_as_a_user(STACK)
        assert "removed a stale lock of stack" in finished.stderr
    print(f"killed mid-rotation, then up: {loop.summary()}")
    assert loop.failures == [], loop.summary()
    assert database_accepts(f"{PREFIX}-mysql", "wordpress", user)
    assert not database_accepts(f"{PREFIX}-mysql", "wordpress", old_user)
    assert not dev.project.deployment(STACK).get("pending_operations")  # the rotation's command ran again
    assert_served(dev.url, dev.published, timeout=10)
    assert changed_steps(dev.project.preview_json(STACK)) == []


def test_replaced_wordpress_keys_log_everyone_out_and_the_site_keeps_serving(dev):
    # The logged-in cookie is signed with LOGGED_IN_KEY and LOGGED_IN_SALT.
    key = dev.project.urn(STACK, "random:index/randomPassword:RandomPassword", "wordpress-logged-in-key")
    dev.project.up(STACK, "--replace", key)
    assert_served(dev.url, dev.published, timeout=30)
    assert session_problem(dev.admin) is not None  # the old cookie no longer opens a session
    site = WordPressSite(dev.url)
    site.log_in(dev.published.user, dev.published.password)
    assert session_problem(site) is None
    dev.admin = site


def test_destroy_removes_everything_and_a_fresh_up_starts_an_empty_site(dev):
    dev.project.destroy(STACK)
    assert our_objects() == []
    dev.project.up(STACK)
    page = WordPressSite(dev.url).get(post_path(dev.published.post_id))
    assert "/wp-admin/install.php" in page.url, (page.status, page.url)
