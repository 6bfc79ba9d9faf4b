"""The edge of WordPress on Swarm without the routing mesh (`swarm.routing: edge`).

Swarm's routing mesh and service virtual IPs are IPVS in the kernel; where a kernel has no IPVS
(no /proc/net/ip_vs) a published port answers nothing and a service's VIP "No route to host".
The edge needs none of it: one HAProxy task per node (global), published on the node's own port
(host mode), balancing over WordPress's tasks as Docker's DNS lists them (`tasks.<service>`,
looked up again every few seconds, so scaled, killed and replaced tasks join and leave).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pulumi

from moorings.health_probe import HealthProbe
from moorings.service_spec import PortSpec, ResourceSpec
from moorings.swarm_service import (
    DNSRR,
    GLOBAL,
    UPDATE,
    ConfigFile,
    Confinement,
    NetworkAttachment,
    Scratch,
    SwarmService,
    SwarmServiceArgs,
)
from moorings.swarm_shell import NodeShell

EDGE_PORT = 8080  # inside the task: above 1024, so HAProxy's user binds it with no capability
CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg"  # where the official haproxy image reads it
MAX_BACKENDS = 64
"""Server slots HAProxy fills from DNS: the most WordPress replicas the edge balances over."""
# A host-mode port is held by one task at a time: the old edge task stops before the new one starts.
EDGE_UPDATE = replace(UPDATE, order="stop-first", delay="0s")
EDGE_LIMITS, EDGE_RESERVATIONS = ResourceSpec(cpu=0.5, memory_mb=128), ResourceSpec(cpu=0.05, memory_mb=32)
# The image has neither curl nor wget: bash's /dev/tcp asks whether HAProxy accepts connections.
EDGE_PROBE = HealthProbe(
    tests=("CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{EDGE_PORT}"),
    interval="10s",
    timeout="3s",
    retries=3,
    start_period="5s",
)


def haproxy_config(wordpress_service: str) -> str:
    """HAProxy's whole configuration: nothing written to disk (no pid file, no socket), logs to stdout."""
    return f"""\
global
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option dontlognull
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    default-server init-addr none resolvers swarm resolve-prefer ipv4 check inter 2s fall 2 rise 1

# Docker's embedded DNS: the addresses of WordPress's running tasks.
resolvers swarm
    nameserver docker 127.0.0.11:53
    accepted_payload_size 8192
    hold valid 2s
    hold obsolete 2s

frontend wordpress
    bind :{EDGE_PORT}
    option forwardfor
    default_backend wordpress

backend wordpress
    balance roundrobin
    server-template task {MAX_BACKENDS} tasks.{wordpress_service}:80
"""


def edge_service(
    name: str,
    image: str,
    wordpress_service: str,
    port: int,
    network_id: pulumi.Input[str],
    manager: Optional[NodeShell],
    opts: pulumi.ResourceOptions,
) -> SwarmService:
    """The edge, published on `port` of every node, in front of `wordpress_service`."""
    return SwarmService(
        "edge",
        SwarmServiceArgs(
            name=name,
            image=image,
            mode=GLOBAL,
            ports=[PortSpec(target=EDGE_PORT, published=port, mode="host")],
            endpoint_mode=DNSRR,  # nothing calls the edge by name: no virtual IP to hand out
            configs=[ConfigFile(name="haproxy", content=haproxy_config(wordpress_service), path=CONFIG_PATH)],
            networks=[NetworkAttachment(network_id)],
            healthcheck=EDGE_PROBE,
            limits=EDGE_LIMITS,
            reservations=EDGE_RESERVATIONS,
            update=EDGE_UPDATE,
            # The image's own non-root user, read-only, no capability; HAProxy writes nothing.
            confinement=Confinement(scratch=(Scratch("/tmp", 16),)),
            manager=manager,
        ),
        opts=opts,
    )
