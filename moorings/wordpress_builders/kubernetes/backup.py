"""Kubernetes: scheduled backups as a CronJob on MySQL's image (its client, its version; nothing
else is pulled), writing into a claim the stack protects. Each run is backup.sh's one-shot mode:
dump (--single-transaction) and wp-content archive, then the oldest beyond `keep` deleted.

Its pods run beside a WordPress pod (pod affinity): a ReadWriteOnce wp-content claim can only be
mounted on the node that already has it. MySQL's NetworkPolicy admits them (safeguards)."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.backups import BACKUPS_DIR, ONCE, WP_CONTENT_MOUNT, backup_command, backup_env, cron_schedule
from moorings.k8s.placement import Placement
from moorings.k8s.pods import PULL_POLICY, env, pod_spec, resources, restricted_container, restricted_pod, scratch
from moorings.wordpress_args import MYSQL_READER, WordPressStackArgs
from moorings.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from moorings.wordpress_builders.kubernetes.options import Storage
from moorings.wordpress_builders.kubernetes.storage import claim, claim_volume
from moorings.wordpress_builders.kubernetes.wordpress import NAME as WORDPRESS

NAME = "backup"
# A dump of a WordPress database and an archive of its uploads: minutes, not hours.
DEADLINE_SECONDS = 3600
REQUESTS, LIMITS = {"cpu": "50m", "memory": "64Mi"}, {"cpu": "500m", "memory": "256Mi"}


def backup_cronjob(
    at: Placement,
    args: WordPressStackArgs,
    storage: Storage,
    wp_content: k8s.core.v1.PersistentVolumeClaim,
    after: Sequence[pulumi.Resource],
) -> k8s.batch.v1.CronJob:
    """The protected `backups` claim and the CronJob; `after`: what its first run waits for (MySQL)."""
    assert args.backup is not None
    store = claim(at, "backups", storage, protect=True)  # whatever mysql.protect says: it is the way back
    wiring, plain = backup_env(args, MYSQL_READER, mysql_host=MYSQL)  # the headless Service
    (password,) = wiring.attachments
    tmp_volume, tmp_mount = scratch("/tmp", "64Mi")
    container = k8s.core.v1.ContainerArgs(
        name=NAME,
        image=args.mysql.image,
        image_pull_policy=PULL_POLICY,
        command=backup_command(ONCE, args.backup.keep),
        env=env({**plain, **wiring.file_env}),
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name="backups", mount_path=BACKUPS_DIR),
            k8s.core.v1.VolumeMountArgs(name="wp-content", mount_path=WP_CONTENT_MOUNT, read_only=True),
            password.mount,
            tmp_mount,
        ],
        termination_message_policy="FallbackToLogsOnError",  # the script's reason in the Job's status
        resources=resources(REQUESTS, LIMITS),
        security_context=restricted_container(),
    )
    pod = pod_spec(
        [container],
        restricted_pod(MYSQL_READER),  # fsGroup: the claim is writable, the secret file readable
        volumes=[claim_volume("backups", store), claim_volume("wp-content", wp_content), password.volume, tmp_volume],
        restart_policy="Never",
        affinity=k8s.core.v1.AffinityArgs(
            pod_affinity=k8s.core.v1.PodAffinityArgs(
                required_during_scheduling_ignored_during_execution=[
                    k8s.core.v1.PodAffinityTermArgs(label_selector=at.selects(WORDPRESS), topology_key="kubernetes.io/hostname")
                ]
            )
        ),
    )
    return k8s.batch.v1.CronJob(
        NAME,
        metadata=at.metadata(NAME),
        spec=k8s.batch.v1.CronJobSpecArgs(
            schedule=cron_schedule(args.backup.every_minutes),
            concurrency_policy="Forbid",  # never two dumps at once
            successful_jobs_history_limit=1,
            failed_jobs_history_limit=3,
            job_template=k8s.batch.v1.JobTemplateSpecArgs(
                spec=k8s.batch.v1.JobSpecArgs(
                    backoff_limit=1,
                    active_deadline_seconds=DEADLINE_SECONDS,
                    template=k8s.core.v1.PodTemplateSpecArgs(metadata=at.pod_metadata(NAME), spec=pod),
                )
            ),
        ),
        opts=at.opts(pulumi.ResourceOptions(depends_on=list(after))),
    )
