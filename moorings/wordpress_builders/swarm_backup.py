"""Scheduled backups on Docker Swarm: one task on the database's own image (mariadb-dump or
mysqldump, tar and gzip come with it; nothing else is pulled) on the stack's encrypted overlay,
on the node that holds the stack's volumes, which dumps the database and archives wp-content
into a volume the stack protects (moorings/backups.py, backup_scripts/backup.sh;
`scripts/backups.sh` takes one now, lists and restores them).

wp-content is a local volume: the one on that node (MySQL's), the node where uploads live when
WordPress runs there; with WordPress on several nodes, a shared volume driver is needed anyway."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_docker as docker

from moorings.backups import BACKUPS_DIR, WP_CONTENT_MOUNT, backup_command, backup_env
from moorings.health_probe import HealthProbe
from moorings.secret_args import FileReader
from moorings.service_spec import ResourceSpec
from moorings.swarm_service import NetworkAttachment, Placement, SwarmService, SwarmServiceArgs, VolumeMount
from moorings.wordpress_args import WordPressStackArgs
from moorings.wordpress_builders.docker_backup import BACKUP_CAPABILITIES, BACKUP_SCRATCH
from moorings.wordpress_builders.docker_confinement import swarm_confinement
from moorings.wordpress_builders.swarm_options import FIRST_START, SINGLE_WRITER, SINGLE_WRITER_ROLLBACK, SwarmWordPressOptions

NAME = "backup"
BACKUP_LIMITS, BACKUP_RESERVATIONS = ResourceSpec(cpu=0.5, memory_mb=256), ResourceSpec(cpu=0.05, memory_mb=64)
# The loop runs as long as the task does; what can break under it is the volume it writes to.
BACKUP_PROBE = HealthProbe(tests=("CMD-SHELL", f"test -d {BACKUPS_DIR} -a -w {BACKUPS_DIR}"), interval="60s", start_period="5s")


def backup_service(
    stack: pulumi.ComponentResource,
    args: WordPressStackArgs,
    options: SwarmWordPressOptions,
    network: docker.Network,
    wp_content: docker.Volume,
    mysql_host: str,
    endpoint_mode: str,
    after: Sequence[pulumi.Resource],
) -> SwarmService:
    """The protected backups volume and the backup service; `after`: what it starts after (MySQL)."""
    assert args.backup is not None
    prefix = args.name_prefix
    # Protected whatever the stack's other volumes are: it is what a destroyed site comes back from.
    store = docker.Volume("backups", name=f"{prefix}-backups", opts=pulumi.ResourceOptions(parent=stack, protect=True))
    wiring, plain = backup_env(args, FileReader(), mysql_host=mysql_host)  # root reads it: the image's user here
    return SwarmService(
        NAME,
        SwarmServiceArgs(
            name=f"{prefix}-{NAME}",
            image=args.mysql.image,
            command=tuple(backup_command(args.backup.every_minutes * 60, args.backup.keep)),
            endpoint_mode=endpoint_mode,
            env=plain,
            secrets=wiring,
            networks=[NetworkAttachment(network.id)],
            mounts=[
                VolumeMount(store.name, BACKUPS_DIR),
                VolumeMount(wp_content.name, WP_CONTENT_MOUNT, read_only=True),
            ],
            healthcheck=BACKUP_PROBE,
            limits=BACKUP_LIMITS,
            reservations=BACKUP_RESERVATIONS,
            # Beside the volumes it reads and writes: MySQL's node.
            placement=Placement(constraints=tuple(options.mysql_constraints)),
            # One writer into the backups volume at a time.
            update=SINGLE_WRITER,
            rollback=SINGLE_WRITER_ROLLBACK,
            confinement=swarm_confinement(BACKUP_SCRATCH, BACKUP_CAPABILITIES),
            converge=FIRST_START,
            manager=options.manager,
        ),
        opts=pulumi.ResourceOptions(parent=stack, depends_on=list(after)),
    )
