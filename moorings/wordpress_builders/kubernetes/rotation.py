"""Kubernetes: the database credentials rotated online, by two Jobs around the roll.

The bundle's Secret is immutable and named by a digest of its content, so new passwords are a new
Secret, and the StatefulSet and the Deployment roll to it. The two phases of db_rotation run as
Jobs on MySQL's image, each named by the digest of the two passwords (a rotation is a new Job):
- `mysql-credentials` (open), after the new Secret exists and before the StatefulSet (and, after
  it, the Deployment) rolls: logs in to the running database as root with the passwords the stack
  last gave it, read from the record Secret `mysql-credentials`, sets root's new password and
  lets the database user in with the old and the new one; then the record is rewritten;
- `mysql-credentials-close`, once the Deployment has rolled: the user accepts the new one only.
The old Secret is deleted last, when nothing mounts it. A failed Job stops the `up` there, with the
script's message in the pod's status: what rolled keeps working on the values it has.

MySQL's pod reads its password files from the record, not from the bundle's Secret: the server
reads them only to initialise an empty data directory, the Jobs set the running server's, and the
record's name never changes, so a rotation does not restart MySQL. On a real node the restart on
the new Secret's name failed 54 of 176 requests over 21.6 s; WordPress's roll fails none, since the
user accepts both passwords until the close.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.db_rotation import CLOSE, OPEN, ROOT_SECRET, SCRIPTS, USER_SECRET
from moorings.k8s.placement import Placement
from moorings.k8s.pods import PULL_POLICY, pod_spec, resources, restricted_container, restricted_pod
from moorings.secret_bundle import SecretBundle, SecretWiring
from moorings.secret_forms.kubernetes import FILE_MODE
from moorings.wordpress_args import MYSQL_READER

NAME = "mysql-credentials"
"""The Jobs' pods (MySQL's NetworkPolicy lets them in) and the record Secret."""
RECORD_DIR = "/run/moorings-record"
DIGEST_LENGTH = 10
# A wrong password or a database down is not cured by retrying for long: fail and say why.
BACKOFF_LIMIT = 2
DEADLINE_SECONDS = 300
# A client and a few statements: a small reservation, and a ceiling.
REQUESTS, LIMITS = {"cpu": "50m", "memory": "64Mi"}, {"cpu": "500m", "memory": "256Mi"}


@dataclass(frozen=True)
class OpenedRotation:
    job: k8s.batch.v1.Job
    record: k8s.core.v1.Secret
    """The values the database has, written once `job` has set them."""


def open_job(at: Placement, image: str, secrets: SecretBundle, wiring: SecretWiring, user: str) -> OpenedRotation:
    """The opening Job, and after it the record of the values the database now has. `wiring` is
    MySQL's: the new Secret's password files under /run/secrets."""
    record = k8s.core.v1.VolumeArgs(
        name="record",
        secret=k8s.core.v1.SecretVolumeSourceArgs(
            secret_name=NAME,
            optional=True,  # none before the first rotation has opened
            default_mode=FILE_MODE,
            items=[k8s.core.v1.KeyToPathArgs(key=key, path=key) for key in (ROOT_SECRET, USER_SECRET)],
        ),
    )
    job = _job(at, image, secrets, wiring, user, OPEN, record, after=[])
    written = k8s.core.v1.Secret(
        "mysql-credentials-record",
        metadata=at.metadata(NAME),
        type="Opaque",
        string_data=pulumi.Output.secret(
            pulumi.Output.all(**{key: secrets.values[key] for key in (ROOT_SECRET, USER_SECRET)})
        ),
        # Rewritten only once the database has the new values.
        opts=at.opts(pulumi.ResourceOptions(depends_on=[job])),
    )
    return OpenedRotation(job=job, record=written)


def record_files(wiring: SecretWiring) -> SecretWiring:
    """`wiring` (MySQL's files from the bundle) with the files read from the record instead: the
    same paths and variables, a Secret whose name a rotation does not change. The pod must be
    declared after the record (OpenedRotation.record) for the first install."""
    (bundle_volume,) = wiring.attachments
    volume = k8s.core.v1.VolumeArgs(
        name=bundle_volume.volume.name,
        secret=k8s.core.v1.SecretVolumeSourceArgs(
            # The name, not the record's output: the provider replaces the record when its data
            # changes, and an output would be unknown in the preview, showing MySQL as changing.
            secret_name=NAME,
            default_mode=FILE_MODE,
            items=[k8s.core.v1.KeyToPathArgs(key=key, path=key) for key in (ROOT_SECRET, USER_SECRET)],
        ),
    )
    return replace(wiring, attachments=[replace(bundle_volume, volume=volume)])


def close_job(
    at: Placement, image: str, secrets: SecretBundle, wiring: SecretWiring, user: str, after: Sequence[pulumi.Resource]
) -> k8s.batch.v1.Job:
    """The closing Job, once every consumer in `after` has rolled to the new Secret."""
    return _job(at, image, secrets, wiring, user, CLOSE, None, after)


def _job(
    at: Placement,
    image: str,
    secrets: SecretBundle,
    wiring: SecretWiring,
    user: str,
    phase: str,
    record: Optional[k8s.core.v1.VolumeArgs],
    after: Sequence[pulumi.Resource],
) -> k8s.batch.v1.Job:
    (new_values,) = wiring.attachments
    mounts = [new_values.mount]
    if record is not None:
        mounts.append(k8s.core.v1.VolumeMountArgs(name=record.name, mount_path=RECORD_DIR, read_only=True))
    container = k8s.core.v1.ContainerArgs(
        name=phase,
        image=image,  # MySQL's own: its client, its version
        image_pull_policy=PULL_POLICY,
        command=["sh", "-c", (SCRIPTS / "rotate_in_cluster.sh").read_text(), "rotate_in_cluster"],
        args=[user, phase, new_values.mount.mount_path, RECORD_DIR, (SCRIPTS / "set_passwords.sh").read_text()],
        env=[k8s.core.v1.EnvVarArgs(name="MYSQL_HOST", value="mysql")],  # the headless Service
        volume_mounts=mounts,
        # The script's message (wrong password, database down) in the pod's status, where `up` shows it.
        termination_message_policy="FallbackToLogsOnError",
        resources=resources(REQUESTS, LIMITS),
        security_context=restricted_container(),
    )
    volumes = [new_values.volume] + ([record] if record is not None else [])
    pod = pod_spec([container], restricted_pod(MYSQL_READER), volumes=volumes, restart_policy="Never")
    name = NAME if phase == OPEN else f"{NAME}-{phase}"
    digest = secrets.content_digest([ROOT_SECRET, USER_SECRET], DIGEST_LENGTH)
    return k8s.batch.v1.Job(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=pulumi.Output.concat(name, "-", digest), namespace=at.namespace, labels=at.pod_metadata(NAME).labels
        ),
        spec=k8s.batch.v1.JobSpecArgs(
            backoff_limit=BACKOFF_LIMIT,
            active_deadline_seconds=DEADLINE_SECONDS,
            template=k8s.core.v1.PodTemplateSpecArgs(metadata=at.pod_metadata(NAME), spec=pod),
        ),
        opts=at.opts(pulumi.ResourceOptions(depends_on=list(after))),
    )
