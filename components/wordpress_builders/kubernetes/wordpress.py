"""WordPress: a Deployment of `replicas` pods sharing wp-content, rolled one pod at a time."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from components.k8s.placement import Placement
from components.k8s.pods import env, http_probe, pod_spec, resources, restricted_container, restricted_pod, tcp_probe
from components.k8s.workloads import autoscaled, deployment, rolling_update
from components.secret_bundle import SecretWiring
from components.wordpress_builders.kubernetes.options import READ_WRITE_MANY, Resources
from components.wordpress_builders.kubernetes.storage import claim_volume
from components.wordpress_stack import HTTP_PORT, WORDPRESS_READER, WordPressSpec, wordpress_env

NAME = "wordpress"
PORT_NAME = "http"
WP_CONTENT = "/var/www/html/wp-content"
# Apache listens on 80 as www-data: a namespaced sysctl (allowed by the baseline and
# restricted Pod Security Standards) lets a non-root process bind it, with no capability.
UNPRIVILEGED_PORTS = {"net.ipv4.ip_unprivileged_port_start": "0"}


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
    mysql: pulumi.Resource,
) -> k8s.apps.v1.Deployment:
    """`replicas` None: an autoscaler owns the count."""
    (secret_volume,) = secrets.attachments
    container = k8s.core.v1.ContainerArgs(
        name=NAME,
        image=image,
        env=env({**wordpress_env(wordpress, mysql_host), **dict(sorted(secrets.file_env.items()))}),
        ports=[k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=HTTP_PORT)],
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name="wp-content", mount_path=WP_CONTENT), secret_volume.mount],
        # The first start copies WordPress into place and may wait for MySQL's first start.
        startup_probe=http_probe("/wp-login.php", PORT_NAME, period=10, failures=30),
        # Ready only while the database answers (wp-login.php fails without it)...
        readiness_probe=http_probe("/wp-login.php", PORT_NAME, period=10, failures=3),
        # ...but alive while Apache answers: a database outage must not restart every pod.
        liveness_probe=tcp_probe(PORT_NAME, period=20, failures=6),
        resources=resources(sizing.requests(), sizing.limits()),
        security_context=restricted_container(),
    )
    pod = pod_spec(
        [container],
        restricted_pod(WORDPRESS_READER, sysctls=UNPRIVILEGED_PORTS),
        volumes=[claim_volume("wp-content", wp_content), secret_volume.volume],
        spread_over=at.selector(NAME),
    )
    # First start: WordPress installs against a live database.
    opts = pulumi.ResourceOptions(depends_on=[mysql])
    if replicas is None:
        opts = pulumi.ResourceOptions.merge(opts, autoscaled())
    return deployment(at, NAME, pod, replicas, _strategy(wp_content_access), opts)


def _strategy(wp_content_access: str) -> k8s.apps.v1.DeploymentStrategyArgs:
    if wp_content_access == READ_WRITE_MANY:
        return rolling_update(max_surge=1, max_unavailable=0)  # a new pod is ready before an old one goes
    # A ReadWriteOnce claim attaches to one node: a surge pod scheduled elsewhere would wait
    # for it forever. Stop the old pod first (one pod, so a short outage per rollout).
    return rolling_update(max_surge=0, max_unavailable=1)
