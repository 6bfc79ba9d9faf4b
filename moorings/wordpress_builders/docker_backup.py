"""Scheduled backups on the docker platform: a container on the database's own image (mariadb-dump
or mysqldump, tar and gzip come with it; nothing is pulled) on the stack's private network, which
dumps the database and archives wp-content into a volume the stack protects
(moorings/backups.py, backup_scripts/backup.sh; `scripts/backups.sh` takes one now and restores one)."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_docker as docker

from moorings.backups import BACKUPS_DIR, WP_CONTENT_MOUNT, backup_command, backup_env
from moorings.secret_args import FileReader
from moorings.wordpress_args import WordPressStackArgs
from moorings.wordpress_builders.docker_confinement import NO_NEW_PRIVILEGES, capabilities, tmpfs
from moorings.engine_names import fixed_container_name
from moorings.wordpress_builders.docker_secrets import secrets_volume
from moorings.wordpress_builders.image_paths import Scratch

# The dump and the archive are written to the backups volume, never to /tmp; the client's own scratch only.
BACKUP_SCRATCH = (Scratch("/tmp", "64Mi", "tmp"),)
# Root without its capabilities but this one: the files of wp-content that WordPress or a plugin
# made readable by www-data only are archived too. The mount is read-only.
BACKUP_CAPABILITIES = ("CAP_DAC_OVERRIDE",)


def backups(
    stack: pulumi.ComponentResource,
    args: WordPressStackArgs,
    network: docker.Network,
    wp_content: docker.Volume,
    image: pulumi.Input[str],
    after: Sequence[pulumi.Resource],
) -> docker.Container:
    """The backup container and its protected volume; `after`: the rotation its password file waits for."""
    assert args.backup is not None
    prefix = args.name_prefix
    # Protected whatever the stack's other volumes are: it is what a destroyed site comes back from.
    store = docker.Volume("backups", name=f"{prefix}-backups", opts=pulumi.ResourceOptions(parent=stack, protect=True))
    wiring, plain = backup_env(args, FileReader())
    files = secrets_volume(stack, args, "backup", image, wiring, after)
    name = f"{prefix}-backup"
    return docker.Container(
        "backup",
        name=name,
        image=image,
        entrypoints=backup_command(args.backup.every_minutes * 60, args.backup.keep),
        envs=wiring.env_list(plain=plain),
        volumes=[
            docker.ContainerVolumeArgs(volume_name=store.name, container_path=BACKUPS_DIR),
            docker.ContainerVolumeArgs(volume_name=wp_content.name, container_path=WP_CONTENT_MOUNT, read_only=True),
            files.mount,
        ],
        read_only=True,
        tmpfs=tmpfs(BACKUP_SCRATCH),
        capabilities=capabilities(BACKUP_CAPABILITIES),
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=network.name)],
        restart="unless-stopped",
        security_opts=NO_NEW_PRIVILEGES,
        # A fixed name: a replacement deletes the old container first.
        opts=fixed_container_name(stack, name, depends_on=[files.carrier]),
    )
