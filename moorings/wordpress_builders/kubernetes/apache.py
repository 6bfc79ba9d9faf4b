"""Apache on an unprivileged port: the WordPress image's Apache (Debian's apache2 package in
php:<v>-apache) reads its `Listen` lines from /etc/apache2/ports.conf, which says `Listen 80`.
A process that is not root binds port 80 only with CAP_NET_BIND_SERVICE or the sysctl
net.ipv4.ip_unprivileged_port_start, and scanners flag both. So the pods mount this file over
ports.conf: Apache listens on 8080 and serves /var/www/html there, as the image's own
000-default site does on 80 (that site stays declared, for a port nothing listens on).
The Service still answers on `wordpress.port`, and targets 8080 by the port's name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement, labels

core = k8s.core.v1

NAME = "wordpress-apache"
APACHE_PORT = 8080
PORTS_CONF = "/etc/apache2/ports.conf"
PORTS_CONF_TEXT = f"""# Moorings: Apache listens on {APACHE_PORT}, a port www-data binds with no privilege.
Listen {APACHE_PORT}

<VirtualHost *:{APACHE_PORT}>
\tDocumentRoot /var/www/html
\tErrorLog ${{APACHE_LOG_DIR}}/error.log
\tCustomLog ${{APACHE_LOG_DIR}}/access.log combined
</VirtualHost>
"""


@dataclass(frozen=True)
class ApacheConfig:
    volume: core.VolumeArgs
    mount: core.VolumeMountArgs


def apache_config(at: Placement) -> ApacheConfig:
    """An immutable ConfigMap named after its content: a change is a new ConfigMap, and the
    Deployment rolls because its volume names it."""
    digest = hashlib.sha256(PORTS_CONF_TEXT.encode()).hexdigest()[:10]
    config = core.ConfigMap(
        NAME,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=f"{NAME}-{digest}", namespace=at.namespace, labels=labels(NAME, at.instance)
        ),
        immutable=True,
        data={"ports.conf": PORTS_CONF_TEXT},
        opts=at.opts(),
    )
    return ApacheConfig(
        volume=core.VolumeArgs(
            name="apache-ports",
            config_map=core.ConfigMapVolumeSourceArgs(name=config.metadata.name, default_mode=0o444),
        ),
        # One file over the image's own: the rest of /etc/apache2 stays the image's.
        mount=core.VolumeMountArgs(name="apache-ports", mount_path=PORTS_CONF, sub_path="ports.conf", read_only=True),
    )
