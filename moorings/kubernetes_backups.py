"""`scripts/backups.sh --namespace NS list|now|restore NAME`: a Kubernetes stack's backups, run
as one-off Jobs made from its backup CronJob (moorings/wordpress_builders/kubernetes/backup.py),
the way `kubectl create job --from=cronjob/backup` makes one, with only the command changed:
the same image, password file, claims, labels (which MySQL's NetworkPolicy admits) and placement
(beside WordPress, whose ReadWriteOnce wp-content claim is on that node).

- `now`: the CronJob's own run (backup.sh once); prints the new backup's name.
- `list`: the complete backups in the `backups` claim, oldest first.
- `restore NAME`: restore.sh, with wp-content writable, as WordPress's user and group (its
  Deployment's), so the files it puts back are WordPress's; not retried (it drops the database
  before loading the dump).

Each Job is deleted once it has ended, its pod with it. Talks to the cluster through `kubectl`
(KUBECTL, else the one on PATH) and its KUBECONFIG; no password is on a command line or printed:
the pod reads the root password from the stack's Secret file."""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from typing import Callable, Optional, Sequence

from moorings.backups import BACKUPS_DIR, SCRIPTS, WP_CONTENT_MOUNT

CRONJOB = "backup"
WORDPRESS = "wordpress"
RESTORE_SCRIPT = SCRIPTS / "restore.sh"
COMPLETE = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
DONE = re.compile(r"^backup ([0-9]{8}T[0-9]{6}Z): done", re.MULTILINE)
JOB_TIMEOUT = 600  # seconds: as long as `scripts/backups.sh now` waits on docker
POLL = 2
KEEP_FINISHED = 3600  # a Job this script could not delete (it was killed) goes away on its own

Kubectl = Callable[..., subprocess.CompletedProcess]


class BackupsError(Exception):
    """What went wrong, said to the operator; nothing was changed unless the message says so."""


def one_off_job(cronjob: dict, name: str, command: Sequence[str]) -> dict:
    """A Job from the CronJob's template, running `command` in its one container, tried once."""
    template = copy.deepcopy(cronjob["spec"]["jobTemplate"])
    spec = template["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    container["command"] = list(command)
    container.pop("args", None)
    spec["backoffLimit"] = 0
    spec["ttlSecondsAfterFinished"] = KEEP_FINISHED
    labels = {**cronjob["metadata"].get("labels", {}), **template.get("metadata", {}).get("labels", {})}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": cronjob["metadata"]["namespace"], "labels": labels},
        "spec": spec,
    }


def backup_job(cronjob: dict, name: str) -> dict:
    """The CronJob's own run, now."""
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return one_off_job(cronjob, name, container["command"])


def list_job(cronjob: dict, name: str) -> dict:
    return one_off_job(cronjob, name, ["ls", "-1", BACKUPS_DIR])


def restore_job(cronjob: dict, wordpress: dict, name: str, backup: str) -> dict:
    """restore.sh NAME as WordPress's pods run (their user, group and fsGroup), wp-content writable."""
    if not COMPLETE.match(backup):
        raise BackupsError(f"backup name {backup!r} is not one: names are UTC times like 20261206T062626Z (`list` shows them)")
    job = one_off_job(cronjob, name, ["sh", "-c", RESTORE_SCRIPT.read_text(), "restore", backup])
    pod = job["spec"]["template"]["spec"]
    theirs = wordpress["spec"]["template"]["spec"].get("securityContext", {})
    ours = pod.setdefault("securityContext", {})
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        if key in theirs:
            ours[key] = theirs[key]
    (container,) = pod["containers"]
    for mount in container.get("volumeMounts", []):
        if mount["mountPath"] == WP_CONTENT_MOUNT:
            mount["readOnly"] = False
        elif mount["mountPath"] == BACKUPS_DIR:
            mount["readOnly"] = True
    return job


def complete_backups(listing: str) -> list[str]:
    return sorted(line.strip() for line in listing.splitlines() if COMPLETE.match(line.strip()))


def job_name(action: str, now: Optional[datetime] = None) -> str:
    """backup-now-20261206-133900: a DNS label, one per second."""
    return f"backup-{action}-{(now or datetime.now(timezone.utc)).strftime('%Y%m%d-%H%M%S')}"


class Cluster:
    """The stack's namespace, through kubectl."""

    def __init__(self, namespace: str, context: Optional[str], run: Kubectl = subprocess.run):
        self.namespace, self.context, self._run = namespace, context, run

    def kubectl(self, *args: str, stdin: Optional[str] = None, check: bool = True) -> subprocess.CompletedProcess:
        command = [os.environ.get("KUBECTL", "kubectl"), "--namespace", self.namespace]
        if self.context:
            command += ["--context", self.context]
        done = self._run([*command, *args], input=stdin, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise BackupsError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
        return done

    def get(self, kind: str, name: str, missing: str) -> dict:
        found = self.kubectl("get", kind, name, "-o", "json", check=False)
        if found.returncode != 0:
            raise BackupsError(f"{missing} ({found.stderr.strip()})")
        return json.loads(found.stdout)

    def cronjob(self) -> dict:
        return self.get("cronjob", CRONJOB, f"namespace {self.namespace} has no CronJob {CRONJOB}: set "
                        "backup.enabled and run `pulumi up` for its stack (or pass its --namespace)")

    def run_job(self, job: dict, timeout: float = JOB_TIMEOUT) -> tuple[bool, str]:
        """Creates the Job, waits until it ends, deletes it: whether it succeeded, and its log."""
        name = job["metadata"]["name"]
        self.kubectl("create", "-f", "-", stdin=json.dumps(job))
        try:
            succeeded = self._wait(name, timeout)
            log = self.kubectl("logs", f"job/{name}", check=False)
            return succeeded, log.stdout + log.stderr
        finally:
            self.kubectl("delete", "job", name, "--cascade=foreground", "--wait=true", check=False)

    def _wait(self, name: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = json.loads(self.kubectl("get", "job", name, "-o", "json").stdout).get("status", {})
            if status.get("succeeded"):
                return True
            if status.get("failed"):
                return False
            time.sleep(POLL)
        raise BackupsError(f"Job {name} did not end within {timeout:.0f} s: `kubectl -n {self.namespace} describe job {name}`")


def take_backup(cluster: Cluster) -> str:
    succeeded, log = cluster.run_job(backup_job(cluster.cronjob(), job_name("now")))
    made = DONE.search(log)
    if not succeeded or made is None:
        raise BackupsError(f"the backup failed; its log:\n{log.strip()}")
    return made.group(1)


def list_backups(cluster: Cluster) -> list[str]:
    succeeded, log = cluster.run_job(list_job(cluster.cronjob(), job_name("list")))
    if not succeeded:
        raise BackupsError(f"could not list the backups claim; the log:\n{log.strip()}")
    return complete_backups(log)


def restore(cluster: Cluster, backup: str) -> str:
    wordpress = cluster.get("deployment", WORDPRESS, f"namespace {cluster.namespace} has no Deployment {WORDPRESS}: "
                            "run `pulumi up` for its stack first (the restore goes into a running stack)")
    succeeded, log = cluster.run_job(restore_job(cluster.cronjob(), wordpress, job_name("restore"), backup))
    if not succeeded:
        raise BackupsError(f"the restore of {backup} failed; its log:\n{log.strip()}")
    return log.strip()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/backups.sh --namespace NAMESPACE",
                                     description="The backups of a Kubernetes stack (backup.enabled).")
    parser.add_argument("--namespace", "-n", required=True, help="the stack's kubernetes.namespace")
    parser.add_argument("--context", help="the kubeconfig context (default: the current one)")
    parser.add_argument("action", choices=("list", "now", "restore"))
    parser.add_argument("name", nargs="?", help="restore: the backup to bring back (`list` shows them)")
    options = parser.parse_args(argv)
    cluster = Cluster(options.namespace, options.context)
    try:
        if options.action == "now":
            print(take_backup(cluster))
        elif options.action == "list":
            for backup in list_backups(cluster):
                print(backup)
        else:
            if not options.name:
                parser.error("restore needs the backup's NAME")
            print(restore(cluster, options.name))
    except BackupsError as problem:
        print(f"backups: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
