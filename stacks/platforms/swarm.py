"""Platform swarm: recipes 2-4. A swarm, the extra services of `services.*` on it (the
recipe's nginx demo), and WordPress + MySQL with Swarm secrets."""

from __future__ import annotations

import shlex
from typing import Optional

import pulumi

from moorings.health_probe import HealthProbe
from moorings.swarm_cluster import SwarmCluster, SwarmClusterArgs
from moorings.swarm_service import Confinement, Scratch, SwarmService, SwarmServiceArgs
from moorings.swarm_shell import NodeShell
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions
from stacks.platforms import wordpress_secrets, wordpress_site
from stacks.settings import Settings
from stacks.settings.services import HealthSpec, SecuritySpec, ServiceSpec


def compose(settings: Settings) -> None:
    prefix = settings.name_prefix
    cluster = SwarmCluster(
        "swarm",
        SwarmClusterArgs(
            owner=prefix, mode=settings.swarm.mode, hosts=settings.swarm.hosts, docker_host=settings.swarm.docker_host
        ),
    )
    # Components hand this provider to every Docker resource they declare.
    on_swarm = pulumi.ResourceOptions(providers=[cluster.provider])

    secrets = wordpress_secrets(settings, opts=on_swarm, docker_host=cluster.docker_host)
    site = wordpress_site(
        settings,
        secrets,
        swarm=SwarmWordPressOptions(
            # The first manager: the provider creates the data volume there.
            mysql_constraints=[cluster.manager_node_id.apply(lambda node: f"node.id=={node}")],
            public_host=cluster.public_host,
            manager=cluster.manager_shell,
            routing=settings.swarm.routing,
            edge_image=settings.swarm.edge_image,
        ),
        opts=on_swarm,
    )
    services = {
        spec.name: SwarmService(spec.name, service_args(spec, prefix, cluster.manager_shell), opts=on_swarm)
        for spec in settings.services
    }

    pulumi.export("url", site.url)
    pulumi.export("wordpressService", site.wordpress_name)
    pulumi.export("mysqlService", site.mysql_name)
    pulumi.export("network", site.network_name)
    pulumi.export("services", {name: service.service_name for name, service in services.items()})
    pulumi.export("dockerHost", cluster.docker_host)
    pulumi.export("joinAddress", cluster.join_address)
    pulumi.export("workerJoinToken", cluster.worker_token)
    pulumi.export("managerJoinToken", cluster.manager_token)


def service_args(spec: ServiceSpec, prefix: str, manager: Optional[NodeShell] = None) -> SwarmServiceArgs:
    """A `services.<name>` entry as a swarm service, drained through `manager` before removal."""
    grace = {"stop_grace_period": spec.stop_grace_period} if spec.stop_grace_period else {}
    return SwarmServiceArgs(
        name=f"{prefix}-{spec.name}",
        image=spec.image,
        replicas=spec.replicas,
        mode=spec.mode,
        ports=spec.ports,
        env=dict(spec.env),
        healthcheck=http_probe(spec.health) if spec.health else None,
        limits=spec.limits,
        reservations=spec.reservations,
        confinement=confinement(spec.security),
        manager=manager,
        **grace,
    )


def confinement(security: SecuritySpec) -> Confinement:
    """`services.<name>.security` as far as Swarm can express it. runAsNonRoot has no Swarm
    equivalent: it holds through runAsUser, or the image's own non-root USER."""
    user = None
    if security.run_as_user is not None:
        user = str(security.run_as_user) + ("" if security.run_as_group is None else f":{security.run_as_group}")
    return Confinement(
        user=user,
        read_only=security.read_only_root_filesystem,
        scratch=tuple(Scratch(path) for path in security.writable_paths) if security.read_only_root_filesystem else (),
        capabilities=tuple(f"CAP_{name}" for name in security.capabilities),
    )


def http_probe(health: HealthSpec) -> HealthProbe:
    """An HTTP check run inside the container, with whichever of wget (busybox, alpine) or curl it has."""
    url = shlex.quote(f"http://127.0.0.1:{health.port}{health.path}")
    return HealthProbe(tests=("CMD-SHELL", f"wget -q -O /dev/null {url} || curl -fsS -o /dev/null {url}"))
