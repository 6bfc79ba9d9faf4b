"""swarm (recipes 2-4, single node) with the real application: WordPress and MariaDB of
scripts/images.sh as Swarm services, published through the edge (`swarm.routing: edge`, since
this machine's kernel has no IPVS for the routing mesh), driven over HTTP as a person would.
Each test is one thing a user, the orchestrator or a fault does to the stack, in order; after each,
what the person published is still served at the stack's `url` output. The stack keeps backups
(backup.enabled, issue 23): the last tests take one, destroy the site, bring up an empty one,
restore, and the post and the upload are served again."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time

import pytest

from tests.app.app_images import built_images, swarm_application_settings
from tests.app.backups_script import backups
from tests.app.interrupted_up import engine_made, finish_interrupted_up
from tests.app.request_loop import RequestLoop
from tests.app.site_content import SiteUnderTest, assert_served, publish, rotate_database_passwords, session_problem
from tests.app.database_probe import database_accepts
from tests.app.wordpress_client import WordPressSite, post_path, wait_for
from tests.docker_engine import docker, free_port, inspect, swarm_info
from tests.pulumi_engine import EngineProject, changed_steps, require_engine
from tests.swarm_stack_engine import (
    PREFIX,
    STACK,
    granted_secrets,
    leave_swarm_if_ours,
    leftovers,
    replicas_column,
    secret_names,
    task_containers,
    unprotect_and_destroy,
)

pytestmark = [pytest.mark.app, pytest.mark.engine, pytest.mark.docker_engine]

CONVERGED_WITHIN = 240  # seconds for the orchestrator to replace a task


def deploy(project: EngineProject, images: dict[str, str]) -> None:
    """The committed swarm stack on the edge, with the application images, WordPress alone."""
    project.init(STACK)
    project.pulumi("config", "rm", "-s", STACK, "services")  # the recipe's nginx demo is not the application
    for path, value in {**swarm_application_settings(images), "backup.enabled": "true", "backup.keep": "2"}.items():
        project.set(STACK, path, value)
    project.up(STACK)


@pytest.fixture(scope="module")
def swarm(tmp_path_factory):
    require_engine()
    images = built_images()
    if swarm_info("LocalNodeState") != "inactive":
        pytest.fail("this Docker Engine is already in a swarm; these tests need one outside any swarm")
    if leftovers():  # e.g. a backups volume: the backup and restore tests would read its backups
        pytest.fail(f"objects named {PREFIX}* already exist on this engine ({leftovers()}); this test would take them over")
    project = EngineProject(tmp_path_factory.mktemp("app-swarm"))
    volumes_before = engine_volumes()
    try:
        deploy(project, images)
        site = SiteUnderTest(project, STACK)
        site.volumes_before = volumes_before
        yield site
    finally:
        unprotect_and_destroy(project, check=False)
        leave_swarm_if_ours()


def engine_volumes() -> set[str]:
    return set(docker("volume", "ls", "-q").stdout.split())


def served_requests(container: str, marker: str) -> int:
    """Requests whose line holds `marker` in a task's Apache access log (its stdout)."""
    logs = docker("logs", container)
    return sum(marker in line for line in (logs.stdout + logs.stderr).splitlines())


def gone_but_the_backups_volume() -> str | None:
    """None once only the protected backups volume is left (task containers go a moment after
    their service, and hold the other volumes until then)."""
    left = leftovers()
    volumes = [docker("volume", "inspect", "--format", "{{.Name}}", v).stdout.strip() for v in left.get("volume", "").split()]
    return None if set(left) <= {"volume"} and volumes == [f"{PREFIX}-backups"] else f"left: {left}"


def three_running_tasks() -> str | None:
    column = replicas_column("wordpress")
    return None if column == "3/3" and len(task_containers("wordpress")) == 3 else f"wordpress {column}"


def test_a_fresh_site_shows_wordpress_installer_at_the_url_output(swarm):
    page = WordPressSite(swarm.url).get("/")
    assert page.status == 200 and "/wp-admin/install.php" in page.url, (page.status, page.url)


def test_install_log_in_publish_a_post_and_upload_an_image(swarm):
    swarm.admin, swarm.published = publish(swarm.url)
    assert_served(swarm.url, swarm.published, timeout=10)


@pytest.mark.parametrize("name", ["mysql", "wordpress", "edge"])
def test_the_stacks_hardening_is_on_in_every_task_while_the_site_serves(swarm, name):
    (container,) = task_containers(name)
    host = inspect(container)["HostConfig"]
    assert host["ReadonlyRootfs"] is True and host["CapDrop"] == ["ALL"]
    tmpfs = [m["Target"] for m in host["Mounts"] if m["Type"] == "tmpfs"]
    assert "/tmp" in tmpfs
    written = docker("exec", container, "sh", "-c", "echo x > /moorings-probe")
    assert written.returncode != 0 and "Read-only file system" in written.stderr
    if name != "edge":
        secrets = docker("exec", container, "ls", "/run/secrets").stdout.split()
        assert "mysql-password" in secrets


def test_a_forced_restart_of_the_mysql_and_wordpress_services_keeps_the_site(swarm):
    # On Swarm a restart goes through the orchestrator. `docker restart` of a task container
    # makes Swarm start a replacement while the restarted container runs again outside it: seen
    # here, MariaDB's replacement then failed on the data directory's InnoDB lock ("Unable to lock
    # ./ibdata1") beside the old one, two servers on one volume (docs/operators/swarm.md).
    for name in ("mysql", "wordpress"):
        restarted = subprocess.run(  # waits for the rolling restart: longer than docker()'s timeout
            ["docker", "service", "update", "--force", "--detach=false", "--quiet", f"{PREFIX}-{name}"],
            capture_output=True, text=True, timeout=CONVERGED_WITHIN * 2,
        )
        assert restarted.returncode == 0, restarted.stderr
    took = assert_served(swarm.url, swarm.published)
    print(f"served {took:.1f} s after the forced restarts returned")


def test_a_port_change_rolls_wordpress_and_the_site_follows_to_the_new_url(swarm):
    before_url = swarm.url
    swarm.project.set(STACK, "wordpress.port", str(free_port()))
    swarm.project.up(STACK)
    after_url = swarm.url
    assert after_url != before_url
    assert_served(after_url, swarm.published, timeout=30)
    site = WordPressSite(after_url)
    site.log_in(swarm.published.user, swarm.published.password)
    assert session_problem(site) is None
    swarm.admin = site


def test_a_replaced_mysql_service_keeps_the_data_and_the_next_up_is_a_no_op(swarm):
    before = task_containers("mysql")
    swarm.project.up(STACK, "--replace", swarm.project.urn(STACK, "docker:index/service:Service", "mysql"))
    assert task_containers("mysql") != before
    assert_served(swarm.url, swarm.published)
    assert wait_for(lambda: session_problem(swarm.admin), 60, "the admin's session") >= 0
    assert changed_steps(swarm.project.preview_json(STACK)) == []


def service_id(name: str) -> str | None:
    found = docker("service", "inspect", "--format", "{{.ID}}", f"{PREFIX}-{name}")
    return found.stdout.strip() if found.returncode == 0 else None


def services_in_state(project: EngineProject) -> dict[str, str]:
    return project.ids_by_name(STACK, "docker:index/service:Service")


def test_an_up_killed_while_the_wordpress_service_is_replaced_is_finished_by_a_plain_up(swarm):
    """SIGKILL as soon as the new service exists (the provider then waits for it to converge): Swarm
    has it under its fixed name and the state does not. The next plain `up` frees the name
    (moorings/engine_names.py) and the launcher drops the interrupted create."""
    project = swarm.project
    old = service_id("wordpress")
    project.taint(STACK, "docker:index/service:Service", "wordpress")
    killed = project.up_killed_when(STACK, lambda: service_id("wordpress") not in (None, old), timeout=180)
    assert killed, "`up` ended before it replaced the wordpress service"
    left = service_id("wordpress")
    unknown = left not in services_in_state(project).values()
    print(f"swarm: up killed; {PREFIX}-wordpress {'left unknown to the state' if unknown else 'recorded'}")

    finish_interrupted_up(project, STACK, "service", f"{PREFIX}-wordpress", unknown, "swarm")
    known = services_in_state(project)
    assert service_id("wordpress") == known[f"{PREFIX}-wordpress"]
    listed = docker("service", "ls", "--filter", f"name={PREFIX}", "--format", "{{.Name}}").stdout.split()
    assert sorted(listed) == sorted(known)  # nothing left over beside them
    assert not project.deployment(STACK).get("pending_operations")
    assert_served(swarm.url, swarm.published)
    assert changed_steps(project.preview_json(STACK)) == []


# On Swarm a new secret is a new task: MySQL restarts on its new files (stop-first: one server at a
# time on its data directory), and requests fail while it is down (13.2 s measured here, 550
# requests over 138 s; 12.5 s, 62 of 650 requests over 164.8 s, in a later run). WordPress then rolls with no failure: the database user accepts both
# passwords until the closing step. Requests fail at most this long, first to last failure.
ROTATION_GAP = 30.0


def test_a_password_rotation_is_set_in_the_running_database_before_the_services_roll(swarm):
    (before,) = task_containers("mysql")
    old_user = docker("exec", before, "cat", "/run/secrets/mysql-password").stdout
    (old_secret,) = secret_names("mysql-password")
    rotated = rotate_database_passwords(swarm)
    assert rotated.loop.failed_seconds <= ROTATION_GAP, rotated.loop.summary()
    assert len(rotated.loop.answers) > 10, rotated.loop.summary()
    (mysql,) = task_containers("mysql")
    assert database_accepts(mysql, "root", rotated.root) and database_accepts(mysql, "wordpress", rotated.user)
    assert not database_accepts(mysql, "wordpress", old_user)  # retired once WordPress rolled
    # A new value is a new Swarm secret that both services moved to before the old one went (the
    # provider once deleted the old one first, and Swarm refused: it was in use).
    (new_secret,) = secret_names("mysql-password")
    assert new_secret != old_secret
    for name in ("mysql", "wordpress"):
        assert new_secret in granted_secrets(name) and old_secret not in granted_secrets(name)
    assert rotated.root not in rotated.output and rotated.user not in rotated.output
    assert_served(swarm.url, swarm.published, timeout=30)
    site = WordPressSite(swarm.url)
    site.log_in(swarm.published.user, swarm.published.password)
    assert session_problem(site) is None
    swarm.admin = site
    assert changed_steps(swarm.project.preview_json(STACK)) == []


def test_an_up_killed_once_it_created_the_new_password_secret_is_finished_by_a_plain_up(swarm):
    """SIGKILL the moment the engine reports the rotation's new Swarm secret (the database, the
    services and the old secret not yet changed). If the kill beat the state's record of it, the
    next plain `up` frees its name (moorings/engine_names.py) and the launcher drops the
    interrupted create; either way that `up` finishes the rotation."""
    project = swarm.project
    (old_secret,) = secret_names("mysql-password")
    (before,) = task_containers("mysql")
    old_user = docker("exec", before, "cat", "/run/secrets/mysql-password").stdout
    user = "Pw" + secrets.token_urlsafe(24)
    project.set(STACK, "mysqlPassword", user, secret=True)
    with engine_made("secret", f"{PREFIX}-mysql-password-") as made:
        killed = project.up_killed_when(STACK, made.is_set, timeout=180, every=0.005)
    assert killed, "`up` ended before it created the new secret"
    (new_secret,) = set(secret_names("mysql-password")) - {old_secret}
    unknown = new_secret not in project.ids_by_name(STACK, "docker:index/secret:Secret")
    print(f"swarm: up killed; secret {new_secret} {'left unknown to the state' if unknown else 'recorded'}")

    finish_interrupted_up(project, STACK, "secret", new_secret, unknown, "swarm secret")
    assert secret_names("mysql-password") == [new_secret]  # the same content, the same name; the old one gone
    for name in ("mysql", "wordpress"):
        assert granted_secrets(name).count(new_secret) == 1
    (mysql,) = task_containers("mysql")
    assert database_accepts(mysql, "wordpress", user) and not database_accepts(mysql, "wordpress", old_user)
    assert not project.deployment(STACK).get("pending_operations")
    assert_served(swarm.url, swarm.published, timeout=60)
    assert changed_steps(project.preview_json(STACK)) == []


def test_scaled_to_three_a_logged_in_session_works_on_every_replica(swarm):
    swarm.project.set(STACK, "wordpress.replicas", "3")
    swarm.project.up(STACK)
    wait_for(three_running_tasks, CONVERGED_WITHIN, "3 running WordPress tasks")
    marker = "/wp/v2/users/me"
    containers = task_containers("wordpress")
    before = {c: served_requests(c, marker) for c in containers}
    answers = []
    for _ in range(30):
        answers.append(swarm.admin.whoami().status)
    print(f"30 requests as the admin across 3 replicas: {answers.count(200)} answered 200")
    assert answers == [200] * 30
    served = {c: served_requests(c, marker) - before[c] for c in containers}
    assert all(count > 0 for count in served.values()), f"requests per replica: {served}"
    assert_served(swarm.url, swarm.published, timeout=10)


def test_a_task_killed_by_hand_is_replaced_by_the_orchestrator_with_no_data_lost(swarm):
    victim = task_containers("wordpress")[0]
    assert docker("kill", victim).returncode == 0
    took = wait_for(
        lambda: three_running_tasks() or (None if victim not in task_containers("wordpress") else "the killed task is listed"),
        CONVERGED_WITHIN,
        "a replacement task",
    )
    print(f"the orchestrator replaced the killed task in {took:.1f} s")
    assert_served(swarm.url, swarm.published)
    assert wait_for(lambda: session_problem(swarm.admin), 60, "the admin's session") >= 0


def test_wordpress_answers_again_after_the_mysql_task_is_killed_under_traffic_without_a_deploy(swarm):
    """MySQL's process killed from the host (SIGKILL, as the kernel's OOM killer does) while a
    visitor reads the post: Swarm starts a new task on the same volume (restart condition `any`,
    after its 5 s delay) and WordPress answers again once it is up, with no deploy."""
    (victim,) = task_containers("mysql")
    pid = inspect(victim)["State"]["Pid"]
    with RequestLoop(swarm.url + post_path(swarm.published.post_id)) as loop:
        time.sleep(3)  # answered before the fault
        killed_at = loop.now()
        os.kill(pid, signal.SIGKILL)  # the database's process, not `docker kill` (a stop)
        replaced = wait_for(lambda: None if task_containers("mysql") not in ([], [victim]) else "the killed task only",
                            CONVERGED_WITHIN, "a new MySQL task", every=0.5)
        wait_for(lambda: loop.serving_since(killed_at), 120, "WordPress serving the post again", every=0.2)
    print(f"MySQL's task killed under traffic on swarm: {loop.summary()}; served again for good "
          f"{loop.back_after(killed_at):.1f} s after the kill; a new task within {replaced:.1f} s")
    assert loop.failed_before(killed_at) == [], loop.summary()  # served until the kill
    assert victim not in task_containers("mysql")  # replaced by the orchestrator, not by a deploy
    assert_served(swarm.url, swarm.published)


def test_a_second_up_changes_nothing_and_the_site_stays(swarm):
    wait_for(three_running_tasks, CONVERGED_WITHIN, "3 running WordPress tasks")
    assert changed_steps(swarm.project.preview_json(STACK)) == []
    swarm.project.up(STACK)
    assert_served(swarm.url, swarm.published, timeout=30)


def test_a_backup_on_demand_runs_in_the_backup_task_with_the_rotated_password(swarm):
    started = time.monotonic()
    taken = backups("now", STACK)
    assert taken.returncode == 0, taken.stderr
    swarm.backup = taken.stdout.strip()
    print(f"swarm: backup {swarm.backup} in {time.monotonic() - started:.1f} s")
    assert backups("list", STACK).stdout.split() == [swarm.backup]


def test_destroy_with_the_data_volumes_unprotected_keeps_only_the_backups_volume(swarm):
    # swarm's policy config wants the data volumes protected: a user lifts it to lose the site.
    for volume in ("mysql-data", "wp-content"):
        urn = swarm.project.urn(STACK, "docker:index/volume:Volume", volume)
        swarm.project.pulumi("state", "unprotect", "-s", STACK, urn, "--yes")
    refused = swarm.project.destroy(STACK, check=False)
    assert refused.returncode != 0 and "protect" in refused.stdout + refused.stderr
    wait_for(gone_but_the_backups_volume, 60, "only the backups volume")


def test_a_fresh_up_is_an_empty_site_and_the_restore_brings_the_post_and_the_upload_back(swarm):
    swarm.project.up(STACK)
    page = WordPressSite(swarm.url).get(post_path(swarm.published.post_id))
    assert "/wp-admin/install.php" in page.url, (page.status, page.url)
    volumes_before = engine_volumes()
    started = time.monotonic()
    restored = backups("restore", STACK, swarm.backup)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    print(f"swarm: restored {swarm.backup} in {time.monotonic() - started:.1f} s")
    left = engine_volumes() - volumes_before
    assert [v for v in left if not v.startswith(f"{PREFIX}-")] == [], "the restore job left an anonymous volume"
    assert_served(swarm.url, swarm.published, timeout=60)
    WordPressSite(swarm.url).log_in(swarm.published.user, swarm.published.password)
    job = f"{PREFIX}-restore"
    assert docker("service", "ls", "-q", "--filter", f"name={job}").stdout.strip() == ""
    # Swarm keeps a finished job's container after its service goes; left, it held the volumes.
    assert docker("ps", "-aq", "--filter", f"label=com.docker.swarm.service.name={job}").stdout.strip() == ""


def test_destroy_with_everything_unprotected_leaves_nothing(swarm):
    unprotect_and_destroy(swarm.project)
    wait_for(lambda: (f"left: {leftovers()}" if leftovers() else None), 60, "nothing of the stack left")
    # Nor an anonymous volume: the MariaDB image declares VOLUME /var/lib/mysql, which every task
    # on it without a mount there (the backup service, the restore job) would get one of.
    assert engine_volumes() - swarm.volumes_before == set()
