"""The secret files of one container on a read-only root filesystem, on the docker platform.

The provider (5.1.0) uploads files by copying an archive to the container's "/" before it starts,
and Docker refuses any copy into a read-only root filesystem ("container rootfs is marked
read-only"), even to a path inside a volume. So a carrier container, created and never started,
receives the uploads: the copy writes through its mount into a named volume, which the consumer
mounts read-only at /run/secrets.

The volume keeps its name when a value rotates: a new carrier rewrites the files in place and the
consumer is not replaced. WordPress reads its secret files on every request, so it switches at
once; MySQL reads them only to initialise an empty data directory, and the rotation step
(moorings/db_rotation.py) has set the new passwords in the database before any carrier runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_docker as docker

from moorings.secret_args import SECRETS_DIR
from moorings.secret_bundle import SecretWiring
from moorings.engine_names import fixed_container_name
from moorings.wordpress_args import WordPressStackArgs



@dataclass(frozen=True)
class SecretFiles:
    mount: docker.ContainerVolumeArgs
    """The consumer's read-only mount at /run/secrets."""
    carrier: docker.Container
    """The container that wrote the files: the consumer depends on it (the files exist first)."""


def secrets_volume(
    stack: pulumi.ComponentResource,
    args: WordPressStackArgs,
    consumer: str,
    image: pulumi.Input[str],
    wiring: SecretWiring,
    after: Optional[Sequence[pulumi.Resource]] = None,
) -> SecretFiles:
    """The secret files of `consumer` (`wiring`), written after `after` has run."""
    child = pulumi.ResourceOptions(parent=stack)
    volume = docker.Volume(f"{consumer}-secrets", name=f"{args.name_prefix}-{consumer}-secrets", opts=child)
    carrier_name = f"{args.name_prefix}-{consumer}-secrets"
    carrier = docker.Container(
        f"{consumer}-secrets-carrier",
        name=carrier_name,
        image=image,  # the consumer's own: already here, and never run
        uploads=list(wiring.attachments),
        volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path=SECRETS_DIR)],
        start=False,
        must_run=False,
        # A fixed name; and new values reach the files only once the database has them.
        opts=fixed_container_name(stack, carrier_name, depends_on=list(after or [])),
    )
    mount = docker.ContainerVolumeArgs(volume_name=volume.name, container_path=SECRETS_DIR, read_only=True)
    return SecretFiles(mount=mount, carrier=carrier)
