"""Production safeguards that sit beside the workloads: disruption budget, network policy, autoscaler.
(`protect` on the MySQL claim is a resource option, set where the claim is declared.)"""

from __future__ import annotations

import ipaddress
from typing import Optional

import pulumi_kubernetes as k8s

from moorings.k8s.network_policies import Peer, Port, Rule, workload_policy
from moorings.k8s.placement import Placement
from moorings.k8s.workloads import disruption_budget
from moorings.wordpress_builders.kubernetes.backup import NAME as BACKUP
from moorings.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from moorings.wordpress_builders.kubernetes.rotation import NAME as ROTATION
from moorings.wordpress_builders.kubernetes.options import Autoscaling, Exposure, Safeguards
from moorings.wordpress_builders.kubernetes.wordpress import NAME as WORDPRESS
from moorings.wordpress_builders.kubernetes.wordpress import PORT_NAME
from moorings.wordpress_args import MYSQL_PORT, ExternalDatabase

networking = k8s.networking.v1


def guard(
    at: Placement,
    safeguards: Safeguards,
    most_replicas: int,
    autoscaling: Optional[Autoscaling],
    target: k8s.apps.v1.Deployment,
    exposure: Exposure,
    rotation: bool,
    backup: bool = False,
    external: Optional[ExternalDatabase] = None,
) -> None:
    """`rotation`: the stack runs the credential rotation's Job (mysql.onlineRotation); `backup`:
    its backups' CronJob; `external`: the database is not the stack's (no MySQL pods to guard)."""
    # By the most pods that can run: an autoscaler allowed 1 to 5 pods runs 5 at its busiest,
    # and a budget of one unavailable pod blocks no drain while a single pod runs.
    if safeguards.disruption_budget and most_replicas > 1:
        disruption_budget(at, WORDPRESS)
    if safeguards.network_policy:
        database = _database_rule(at, external)
        clients = [name for name, runs in ((ROTATION, rotation), (BACKUP, backup)) if runs]
        if external is None:
            _mysql_policy(at, clients)
        _wordpress_policy(at, exposure, database)
        for client in clients:
            _client_policy(at, client, database)
    if autoscaling is not None:
        _autoscaler(at, autoscaling, target)


def _mysql_policy(at: Placement, others: list[str]) -> None:
    """MySQL accepts connections only from the WordPress pods of this stack and the pods of its
    Jobs (`others`: the credential rotation's, the backups'), on its port only, and connects
    nowhere but to the cluster's DNS."""
    clients = (Peer(pods=at.selector(WORDPRESS)),) + tuple(Peer(pods=at.selector(name)) for name in others)
    workload_policy(
        at,
        MYSQL,
        ingress=[Rule(peers=clients, ports=(Port(MYSQL_PORT),))],
        egress=[],
    )


def _database_rule(at: Placement, external: Optional[ExternalDatabase]) -> Rule:
    """Where the database's clients may connect: MySQL's pods, or the external database's
    address on its port (any address on that port for a host name: a policy names no host)."""
    if external is None:
        return Rule(peers=(Peer(pods=at.selector(MYSQL)),), ports=(Port(MYSQL_PORT),))
    try:
        address = ipaddress.ip_address(external.host)
        peer = Peer(cidr=f"{address}/{address.max_prefixlen}")
    except ValueError:
        peer = Peer(anywhere=True)
    return Rule(peers=(peer,), ports=(Port(external.port),))


def _client_policy(at: Placement, name: str, database: Rule) -> None:
    """A Job's pods (the rotation's, the backups') accept no connection and connect only to the
    database (and the DNS)."""
    workload_policy(at, name, ingress=[], egress=[database])


def _wordpress_policy(at: Placement, exposure: Exposure, database: Rule) -> None:
    """WordPress accepts connections on its HTTP port from its exposure only: the ingress
    controller's namespace (Ingress), any address (NodePort, LoadBalancer: the clients are
    outside the cluster), or the pods of its own namespace (ClusterIP). It connects to the database,
    and out on 80 and 443: updates and plugins from wordpress.org, and WP-Cron's request to
    the site's own public address."""
    if exposure.ingress is not None:
        clients: tuple[Peer, ...] = (Peer(namespace=exposure.ingress.controller_namespace),)
    elif exposure.service_type in ("NodePort", "LoadBalancer"):
        clients = (Peer(anywhere=True),)
    else:
        clients = (Peer(pods={}),)
    workload_policy(
        at,
        WORDPRESS,
        ingress=[Rule(peers=clients, ports=(Port(PORT_NAME),))],
        egress=[database, Rule(peers=(Peer(anywhere=True),), ports=(Port(80), Port(443)))],
    )


def _autoscaler(at: Placement, autoscaling: Autoscaling, target: k8s.apps.v1.Deployment) -> None:
    v2 = k8s.autoscaling.v2
    v2.HorizontalPodAutoscaler(
        WORDPRESS,
        metadata=at.metadata(WORDPRESS),
        spec=v2.HorizontalPodAutoscalerSpecArgs(
            scale_target_ref=v2.CrossVersionObjectReferenceArgs(
                api_version="apps/v1", kind="Deployment", name=target.metadata.name
            ),
            min_replicas=autoscaling.min_replicas,
            max_replicas=autoscaling.max_replicas,
            metrics=[
                v2.MetricSpecArgs(
                    type="Resource",
                    resource=v2.ResourceMetricSourceArgs(
                        name="cpu",
                        target=v2.MetricTargetArgs(type="Utilization", average_utilization=autoscaling.cpu_percent),
                    ),
                )
            ],
        ),
        opts=at.opts(),
    )
