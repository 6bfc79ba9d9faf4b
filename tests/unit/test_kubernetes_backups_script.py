"""`scripts/backups.sh --namespace NS list|now|restore` (moorings/kubernetes_backups.py): the Jobs
it makes from the stack's own CronJob and WordPress Deployment, as the mocks render them, and how
it drives kubectl (a fake here; the real node runs it in tests/cluster/test_node_wordpress.py)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone

import pytest

from moorings import kubernetes_backups as kb
from moorings.backups import BACKUP_SCRIPT
from tests.kubernetes_checks import schema_problems
from tests.kubernetes_support import deploy, find, manifests

BACKUP = {"backup.enabled": True, "backup.keep": 5}


@pytest.fixture(scope="module")
def objects():
    return manifests(deploy("staging", BACKUP))


@pytest.fixture
def cronjob(objects):
    return find(objects, "CronJob", "backup")


@pytest.fixture
def wordpress(objects):
    return find(objects, "Deployment", "wordpress")


def container(job: dict) -> dict:
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


def mounts(job: dict) -> dict[str, dict]:
    return {m["mountPath"]: m for m in container(job)["volumeMounts"]}


def test_every_job_is_a_valid_job_with_the_cronjobs_pod_labels_and_placement(cronjob, wordpress):
    jobs = [kb.backup_job(cronjob, "backup-now-1"), kb.list_job(cronjob, "backup-list-1"),
            kb.restore_job(cronjob, wordpress, "backup-restore-1", "20261206T062626Z")]
    assert schema_problems(jobs) == []
    template = cronjob["spec"]["jobTemplate"]["spec"]["template"]
    for job in jobs:
        pod = job["spec"]["template"]
        # MySQL's NetworkPolicy admits the backup's labels, and the pods go where wp-content is.
        assert pod["metadata"]["labels"] == template["metadata"]["labels"]
        assert pod["spec"]["affinity"] == template["spec"]["affinity"]
        assert job["metadata"]["namespace"] == cronjob["metadata"]["namespace"]
        assert job["spec"]["backoffLimit"] == 0


def test_now_runs_the_cronjobs_own_command_and_leaves_the_cronjob_unchanged(cronjob):
    before = json.dumps(cronjob, sort_keys=True)
    job = kb.backup_job(cronjob, "backup-now-1")
    assert container(job)["command"] == ["sh", "-c", BACKUP_SCRIPT.read_text(), "moorings-backup", "0", "5"]
    assert json.dumps(cronjob, sort_keys=True) == before


def test_restore_runs_as_wordpress_with_wp_content_writable_and_the_backups_read_only(cronjob, wordpress):
    job = kb.restore_job(cronjob, wordpress, "backup-restore-1", "20261206T062626Z")
    assert container(job)["command"] == ["sh", "-c", kb.RESTORE_SCRIPT.read_text(), "restore", "20261206T062626Z"]
    security = job["spec"]["template"]["spec"]["securityContext"]
    theirs = wordpress["spec"]["template"]["spec"]["securityContext"]
    assert (security["runAsUser"], security["runAsGroup"], security["fsGroup"]) == (33, 33, 33)
    assert {k: security[k] for k in ("runAsUser", "runAsGroup", "fsGroup")} == {k: theirs[k] for k in ("runAsUser", "runAsGroup", "fsGroup")}
    assert security["runAsNonRoot"] is True
    assert mounts(job)["/wp-content"]["readOnly"] is False
    assert mounts(job)["/backups"]["readOnly"] is True
    # The root password is still the bundle's file, never a value.
    env = {e["name"]: e for e in container(job)["env"]}
    assert env["MYSQL_ROOT_PASSWORD_FILE"]["value"] == "/run/secrets/mysql-root-password"
    assert not any("PWD" in name or name == "MYSQL_ROOT_PASSWORD" for name in env)


@pytest.mark.parametrize("name", ["latest", "../20261206T062626Z", "20261206T062626Z; rm -rf /", ""])
def test_a_restore_of_something_that_is_no_backup_name_is_refused_before_any_job(cronjob, wordpress, name):
    with pytest.raises(kb.BackupsError, match="is not one"):
        kb.restore_job(cronjob, wordpress, "backup-restore-1", name)


def test_only_complete_backups_are_listed_oldest_first():
    listing = "20261206T120000Z\n.partial-20261206T130000Z\n.last\n20261205T120000Z\nlost+found\n"
    assert kb.complete_backups(listing) == ["20261205T120000Z", "20261206T120000Z"]


def test_job_names_are_dns_labels_per_second():
    assert kb.job_name("restore", datetime(2026, 12, 6, 13, 39, 5, tzinfo=timezone.utc)) == "backup-restore-20261206-133905"


class FakeKubectl:
    """Answers kubectl as an API server would for one Job that ends as `outcome`."""

    def __init__(self, cronjob: dict, outcome: str, log: str, has_cronjob: bool = True):
        self.cronjob, self.outcome, self.log, self.has_cronjob = cronjob, outcome, log, has_cronjob
        self.calls: list[list[str]] = []
        self.created: list[dict] = []

    def __call__(self, command, input=None, **_):
        args = command[3:]  # kubectl --namespace NS ...
        self.calls.append(args)
        if args[:2] == ["get", "cronjob"]:
            if not self.has_cronjob:
                return subprocess.CompletedProcess(command, 1, "", 'cronjobs.batch "backup" not found')
            return subprocess.CompletedProcess(command, 0, json.dumps(self.cronjob), "")
        if args[:1] == ["create"]:
            self.created.append(json.loads(input))
        if args[:2] == ["get", "job"]:
            return subprocess.CompletedProcess(command, 0, json.dumps({"status": {self.outcome: 1}}), "")
        if args[:1] == ["logs"]:
            return subprocess.CompletedProcess(command, 0, self.log, "")
        return subprocess.CompletedProcess(command, 0, "", "")


def test_now_prints_the_new_backups_name_and_deletes_its_job(cronjob):
    kubectl = FakeKubectl(cronjob, "succeeded", "backup 20261206T140000Z: done (120 KiB)\n")
    assert kb.take_backup(kb.Cluster("moorings-staging", None, kubectl)) == "20261206T140000Z"
    (job,) = kubectl.created
    assert ["delete", "job", job["metadata"]["name"], "--cascade=foreground", "--wait=true"] in kubectl.calls


def test_a_failed_restore_says_so_with_its_log_and_its_job_is_still_deleted(cronjob, wordpress):
    log = "restore: no complete backup named 20000101T000000Z; the backups are: 20261206T140000Z\n"
    kubectl = FakeKubectl(cronjob, "failed", log)
    real_get = kubectl.__call__

    def with_wordpress(command, input=None, **options):
        if command[3:5] == ["get", "deployment"]:
            return subprocess.CompletedProcess(command, 0, json.dumps(wordpress), "")
        return real_get(command, input=input, **options)

    with pytest.raises(kb.BackupsError, match="(?s)the restore of 20000101T000000Z failed.*no complete backup named"):
        kb.restore(kb.Cluster("moorings-staging", None, with_wordpress), "20000101T000000Z")
    (job,) = kubectl.created
    assert any(call[:3] == ["delete", "job", job["metadata"]["name"]] for call in kubectl.calls)


def test_a_namespace_without_the_backup_cronjob_names_the_setting(cronjob, monkeypatch, capsys):
    kubectl = FakeKubectl(cronjob, "succeeded", "", has_cronjob=False)
    monkeypatch.setattr(kb.subprocess, "run", kubectl)
    assert kb.main(["--namespace", "moorings-staging", "list"]) == 1
    said = capsys.readouterr().err
    assert "no CronJob backup" in said and "backup.enabled" in said and "moorings-staging" in said
    assert kubectl.created == []
