"""The Kubernetes rotation Jobs' own command, run for real: the cluster tier's kwok node starts no
pod, so here the command and arguments of staging's rendered Jobs run in a container of the MariaDB
image (as its mysql user, read-only, the files where the Jobs mount them) beside a MariaDB server
reachable as `mysql`, on a Docker network of this test's own."""

from __future__ import annotations

import secrets
import time
import uuid
from pathlib import Path

import pytest

from tests.app.app_images import built_images
from tests.docker_engine import docker
from tests.kubernetes_support import container, deploy, manifests
from tests.pulumi_engine import require_engine

pytestmark = [pytest.mark.app, pytest.mark.docker_engine]

NEW_DIR, RECORD_DIR = "/run/secrets", "/run/moorings-record"
USER = "wordpress"


def job_command(phase: str) -> list[str]:
    """The rendered Job's container command and arguments (the passwords are in files, not here)."""
    prefix = "mysql-credentials" if phase == "open" else "mysql-credentials-close"
    (job,) = [o for o in manifests(deploy("staging")) if o["kind"] == "Job" and o["metadata"]["name"].rsplit("-", 1)[0] == prefix]
    spec = container(job)
    assert spec["args"][2:4] == [NEW_DIR, RECORD_DIR]
    return [*spec["command"], *spec["args"]]


def password_files(directory: Path, root: str, user: str) -> Path:
    directory.mkdir()
    (directory / "mysql-root-password").write_text(root)
    (directory / "mysql-password").write_text(user)
    for path in (directory, *directory.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)  # the pod's fsGroup makes them readable to 999
    return directory


class Database:
    def __init__(self, image: str, network: str, name: str, root: str, user: str):
        self.image, self.network, self.name = image, network, name
        self.root, self.user = root, user

    def accepts(self, user: str, password: str) -> bool:
        login = 'IFS= read -r MYSQL_PWD; export MYSQL_PWD; mariadb --protocol=tcp -h 127.0.0.1 -u"$1" -e "SELECT 1"'
        return docker("exec", "-i", self.name, "sh", "-c", login, "probe", user, stdin=password + "\n").returncode == 0

    def run_job(self, phase: str, new: Path, record: Path | None):
        mounts = ["-v", f"{new}:{NEW_DIR}:ro"] + (["-v", f"{record}:{RECORD_DIR}:ro"] if record else [])
        return docker(
            "run", "--rm", "--network", self.network, "--user", "999:999", "--read-only",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "-e", "MYSQL_HOST=mysql",
            *mounts, "--entrypoint", "", self.image, *job_command(phase),
        )


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    require_engine()
    image = built_images()["mysql"]
    tag = uuid.uuid4().hex[:8]
    network, name = f"moorings-rotation-test-{tag}", f"moorings-rotation-test-db-{tag}"
    root, user = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    assert docker("network", "create", network).returncode == 0
    try:
        started = docker(
            "run", "-d", "--name", name, "--network", network, "--network-alias", "mysql",
            "-e", f"MYSQL_ROOT_PASSWORD={root}", "-e", f"MYSQL_USER={USER}", "-e", f"MYSQL_PASSWORD={user}",
            "-e", "MYSQL_DATABASE=wordpress", image,
        )
        assert started.returncode == 0, started.stderr
        db = Database(image, network, name, root, user)
        deadline = time.monotonic() + 120
        while not db.accepts(USER, user):
            assert time.monotonic() < deadline, docker("logs", name).stderr[-2000:]
            time.sleep(1)
        yield db
    finally:
        docker("rm", "-f", "-v", name)
        docker("network", "rm", network)


def test_a_first_install_with_no_record_and_no_database_answering_changes_nothing(tmp_path, database):
    # A network where no `mysql` answers: as on a first install, before the StatefulSet exists.
    lonely = Database(database.image, database.network + "-empty", "none", "", "")
    assert docker("network", "create", lonely.network).returncode == 0
    try:
        ran = lonely.run_job("open", password_files(tmp_path / "new", "r", "u"), None)
    finally:
        docker("network", "rm", lonely.network)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "a first install" in ran.stdout


def test_open_sets_root_and_lets_the_user_in_with_both_passwords_then_close_retires_the_old(tmp_path, database):
    root, user = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    new = password_files(tmp_path / "new", root, user)
    record = password_files(tmp_path / "record", database.root, database.user)
    opened = database.run_job("open", new, record)
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert database.accepts("root", root) and not database.accepts("root", database.root)
    assert database.accepts(USER, database.user) and database.accepts(USER, user)
    again = database.run_job("open", new, password_files(tmp_path / "record-again", root, user))
    assert again.returncode == 0, again.stdout + again.stderr  # a rerun (the record rewritten) is harmless
    closed = database.run_job("close", new, None)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    assert database.accepts(USER, user) and not database.accepts(USER, database.user)
    for output in (opened, again, closed):
        assert root not in output.stdout + output.stderr and user not in output.stdout + output.stderr
    database.root, database.user = root, user


def test_a_record_the_database_refuses_stops_the_job_with_what_to_do_and_changes_nothing(tmp_path, database):
    new = password_files(tmp_path / "new", secrets.token_urlsafe(18), secrets.token_urlsafe(18))
    record = password_files(tmp_path / "record", "not-the-root-password", database.user)
    refused = database.run_job("open", new, record)
    assert refused.returncode == 4
    assert "accepts neither its current root password" in refused.stderr and "mysqlRootPassword" in refused.stderr
    assert database.accepts("root", database.root) and database.accepts(USER, database.user)


def test_a_database_that_does_not_answer_stops_the_job_and_a_rerun_finishes_it(tmp_path, database):
    root, user = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    new = password_files(tmp_path / "new", root, user)
    record = password_files(tmp_path / "record", database.root, database.user)
    assert docker("stop", database.name).returncode == 0
    try:
        down = database.run_job("open", new, record)
    finally:
        assert docker("start", database.name).returncode == 0
    assert down.returncode == 3 and "does not answer" in down.stderr
    deadline = time.monotonic() + 60
    while not database.accepts(USER, database.user):
        assert time.monotonic() < deadline
        time.sleep(1)
    finished = database.run_job("open", new, record)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert database.accepts("root", root) and database.accepts(USER, user)
