"""The secret files of one container on a read-only root filesystem, on the docker platform.

The provider (5.1.0) uploads files by copying an archive to the container's "/" before it starts,
and Docker refuses any copy into a read-only root filesystem ("container rootfs is marked
read-only"), even to a path inside a volume. So a carrier container, created and never started,
receives the uploads: the copy writes through its mount into a named volume, which the consumer
mounts read-only at /run/secrets. The volume is named after a keyed digest of the values, so a
rotated secret is a new volume and the consumer is replaced onto it, as before.
"""

from __future__ import annotations

from typing import Mapping

import pulumi
import pulumi_docker as docker

from moorings.secret_args import SECRETS_DIR
from moorings.secret_bundle import SecretWiring
from moorings.wordpress_args import WordPressStackArgs

DIGEST_LENGTH = 10


def secrets_volume(
    stack: pulumi.ComponentResource,
    args: WordPressStackArgs,
    consumer: str,
    image: pulumi.Input[str],
    env: Mapping[str, str],
    wiring: SecretWiring,
) -> docker.ContainerVolumeArgs:
    """The read-only mount that gives `consumer` its secret files (`wiring`, from `env`)."""
    child = pulumi.ResourceOptions(parent=stack)
    digest = args.secrets.content_digest(sorted(set(env.values())), DIGEST_LENGTH)
    volume = docker.Volume(
        f"{consumer}-secrets",
        name=pulumi.Output.format("{0}-{1}-secrets-{2}", args.name_prefix, consumer, digest),
        opts=child,
    )
    docker.Container(
        f"{consumer}-secrets-carrier",
        name=f"{args.name_prefix}-{consumer}-secrets",
        image=image,  # the consumer's own: already here, and never run
        uploads=list(wiring.attachments),
        volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path=SECRETS_DIR)],
        start=False,
        must_run=False,
        opts=pulumi.ResourceOptions(parent=stack, delete_before_replace=True),  # a fixed name
    )
    return docker.ContainerVolumeArgs(volume_name=volume.name, container_path=SECRETS_DIR, read_only=True)
