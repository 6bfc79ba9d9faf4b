"""WordPress: a Deployment of `replicas` pods sharing wp-content, rolled one pod at a time.

The official image runs here as www-data on a read-only root filesystem, writing only to the
wp-content claim and the scratch directories image_paths lists (read from the image).
"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement
from moorings.k8s.pods import (
    PULL_POLICY,
    env,
    http_probe,
    pod_spec,
    resources,
    restricted_container,
    restricted_pod,
    scratch,
    tcp_probe,
)
from moorings.k8s.workloads import autoscaled, deployment, rolling_update
from moorings.secret_bundle import SecretWiring
from moorings.wordpress_builders.kubernetes.options import READ_WRITE_MANY, Resources
from moorings.wordpress_builders.kubernetes.storage import claim_volume
from moorings.wordpress_builders.kubernetes.apache import APACHE_PORT, apache_config
from moorings.wordpress_builders.image_paths import WORDPRESS_SCRATCH, WP_CONTENT_DIR
from moorings.wordpress_args import MYSQL_PORT, WORDPRESS_READER, WordPressSpec, wordpress_env

NAME = "wordpress"
PORT_NAME = "http"
WP_CONTENT = WP_CONTENT_DIR
# The writable directories of a read-only root filesystem, the same on every platform.
SCRATCH = WORDPRESS_SCRATCH


DRAIN_SECONDS = 5  # well within the pods' 30 s grace period


def wordpress_deployment(
    at: Placement,
    image: str,
    wordpress: WordPressSpec,
    secrets: SecretWiring,
    mysql_host: str,
    wp_content: k8s.core.v1.PersistentVolumeClaim,
    wp_content_access: str,
    sizing: Resources,
    replicas: Optional[int],
    mysql: Optional[pulumi.Resource],
    site_url: Optional[str] = None,
    mysql_port: int = MYSQL_PORT,
) -> k8s.apps.v1.Deployment:
    """`replicas` None: an autoscaler owns the count. `mysql` None: an external database."""
    (secret_volume,) = secrets.attachments
    writable = [scratch(path, size, name) for path, size, name in SCRATCH]
    apache = apache_config(at)
    container = k8s.core.v1.ContainerArgs(
        name=NAME,
        image=image,
        image_pull_policy=PULL_POLICY,
        env=env({**wordpress_env(wordpress, mysql_host, site_url, mysql_port), **dict(sorted(secrets.file_env.items()))}),
        # Apache listens on 8080, a port www-data may bind with no capability and no sysctl.
        ports=[k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=APACHE_PORT)],
        volume_mounts=[
            *(mount for _, mount in writable),  # the document root before wp-content, mounted inside it
            k8s.core.v1.VolumeMountArgs(name="wp-content", mount_path=WP_CONTENT),
            secret_volume.mount,
            apache.mount,
        ],
        # The first start copies WordPress into place and may wait for MySQL's first start.
        startup_probe=http_probe("/wp-login.php", PORT_NAME, period=10, failures=30),
        # Ready only while the database answers (wp-login.php fails without it)...
        readiness_probe=http_probe("/wp-login.php", PORT_NAME, period=10, failures=3),
        # ...but alive while Apache answers: a database outage must not restart every pod.
        liveness_probe=tcp_probe(PORT_NAME, period=20, failures=6),
        # A pod taken out of a roll keeps serving until the Service's proxies have dropped it:
        # without the pause, Apache stopped at once and requests still sent to it failed (on the
        # real node, 6 of 152 refused during a rotation's roll).
        lifecycle=k8s.core.v1.LifecycleArgs(pre_stop=k8s.core.v1.LifecycleHandlerArgs(
            exec_=k8s.core.v1.ExecActionArgs(command=["sleep", str(DRAIN_SECONDS)]))),
        resources=resources(sizing.requests(), sizing.limits()),
        security_context=restricted_container(),
    )
    pod = pod_spec(
        [container],
        restricted_pod(WORDPRESS_READER),
        volumes=[
            *(volume for volume, _ in writable),
            claim_volume("wp-content", wp_content),
            secret_volume.volume,
            apache.volume,
        ],
        spread_over=at.selector(NAME),
    )
    # First start: WordPress installs against a live database.
    opts = pulumi.ResourceOptions(depends_on=[mysql] if mysql is not None else [])
    if replicas is None:
        opts = pulumi.ResourceOptions.merge(opts, autoscaled())
    return deployment(at, NAME, pod, replicas, _strategy(wp_content_access), opts)


def _strategy(wp_content_access: str) -> k8s.apps.v1.DeploymentStrategyArgs:
    if wp_content_access == READ_WRITE_MANY:
        return rolling_update(max_surge=1, max_unavailable=0)  # a new pod is ready before an old one goes
    # A ReadWriteOnce claim attaches to one node: a surge pod scheduled elsewhere would wait
    # for it forever. Stop the old pod first (one pod, so a short outage per rollout).
    return rolling_update(max_surge=0, max_unavailable=1)
