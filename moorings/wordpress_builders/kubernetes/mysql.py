"""MySQL: a StatefulSet of one on its own protected claim, behind a headless Service.

The official image runs here as its mysql user (999) on a read-only root filesystem, writing
only to its claim and the scratch directories image_paths lists (read from the image).
"""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement
from moorings.k8s.pods import PULL_POLICY, env, exec_probe, pod_spec, resources, restricted_container, restricted_pod, scratch
from moorings.k8s.workloads import service
from moorings.secret_bundle import SecretWiring
from moorings.wordpress_builders.kubernetes.options import Resources
from moorings.wordpress_builders.image_paths import MYSQL_DATA_DIR, MYSQL_SCRATCH
from moorings.wordpress_builders.kubernetes.storage import claim_volume
from moorings.wordpress_args import MYSQL_PORT, MYSQL_READER, WordPressSpec, mysql_env

NAME = "mysql"
MOUNT = MYSQL_DATA_DIR
# A subdirectory of the claim: a fresh ext4 volume holds lost+found, and MySQL refuses to
# initialise a data directory that is not empty. The image's entrypoint reads --datadir.
DATA_DIR = f"{MOUNT}/data"
# Over TCP, not the socket: during first-run initialisation the image's temporary server
# listens on the socket only and must not count as up. `mysqladmin ping` exits 0 whenever
# the server answers, even "access denied", so the probe needs no password.
PING = ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]
# The writable directories of a read-only root filesystem, the same on every platform.
SCRATCH = MYSQL_SCRATCH


def mysql_statefulset(
    at: Placement,
    image: str,
    wordpress: WordPressSpec,
    secrets: SecretWiring,
    data: k8s.core.v1.PersistentVolumeClaim,
    sizing: Resources,
    after: Sequence[pulumi.Resource] = (),
) -> k8s.apps.v1.StatefulSet:
    """`after`: what must finish before the StatefulSet changes (the credential rotation's Job)."""
    headless = service(
        at,
        NAME,
        [k8s.core.v1.ServicePortArgs(name=NAME, port=MYSQL_PORT, target_port=NAME)],
        cluster_ip="None",  # headless: the StatefulSet's stable DNS name, no load balancing
        # The one server's address stays in DNS while its container restarts: clients reach it as
        # soon as it listens, not once the kubelet's probes have seen it ready again.
        publish_not_ready=True,
    )
    (secret_volume,) = secrets.attachments
    writable = [scratch(path, size, name) for path, size, name in SCRATCH]
    container = k8s.core.v1.ContainerArgs(
        name=NAME,
        image=image,
        image_pull_policy=PULL_POLICY,
        args=[f"--datadir={DATA_DIR}"],
        env=env({**mysql_env(wordpress), **dict(sorted(secrets.file_env.items()))}),
        ports=[k8s.core.v1.ContainerPortArgs(name=NAME, container_port=MYSQL_PORT)],
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name="data", mount_path=MOUNT),
            *(mount for _, mount in writable),
            secret_volume.mount,
        ],
        # First start initialises the data directory: up to 5 minutes before liveness applies.
        startup_probe=exec_probe(PING, period=10, failures=30),
        readiness_probe=exec_probe(PING, period=10, failures=3),
        liveness_probe=exec_probe(PING, period=20, failures=6),
        resources=resources(sizing.requests(), sizing.limits()),
        security_context=restricted_container(),
    )
    statefulset = k8s.apps.v1.StatefulSet(
        NAME,
        metadata=at.metadata(NAME),
        spec=k8s.apps.v1.StatefulSetSpecArgs(
            # One server: MySQL replication is a different design, not a replica count.
            replicas=1,
            service_name=headless.metadata.name,
            selector=at.selects(NAME),
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=at.pod_metadata(NAME),
                spec=pod_spec(
                    [container],
                    # The image's mysql user (999) owns the data: no root entrypoint needed.
                    restricted_pod(MYSQL_READER),
                    volumes=[claim_volume("data", data), *(volume for volume, _ in writable), secret_volume.volume],
                ),
            ),
        ),
        opts=at.opts(pulumi.ResourceOptions(depends_on=list(after))),
    )
    return statefulset
