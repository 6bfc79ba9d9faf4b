"""Production safeguards that sit beside the workloads: disruption budget, network policy, autoscaler.
(`protect` on the MySQL claim is a resource option, set where the claim is declared.)"""

from __future__ import annotations

from typing import Optional

import pulumi_kubernetes as k8s

from moorings.k8s.network_policies import Peer, Port, Rule, workload_policy
from moorings.k8s.placement import Placement
from moorings.k8s.workloads import disruption_budget
from moorings.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from moorings.wordpress_builders.kubernetes.rotation import NAME as ROTATION
from moorings.wordpress_builders.kubernetes.options import Autoscaling, Exposure, Safeguards
from moorings.wordpress_builders.kubernetes.wordpress import NAME as WORDPRESS
from moorings.wordpress_builders.kubernetes.wordpress import PORT_NAME
from moorings.wordpress_args import MYSQL_PORT

networking = k8s.networking.v1


def guard(
    at: Placement,
    safeguards: Safeguards,
    most_replicas: int,
    autoscaling: Optional[Autoscaling],
    target: k8s.apps.v1.Deployment,
    exposure: Exposure,
    rotation: bool,
) -> None:
    """`rotation`: the stack runs the credential rotation's Job (mysql.onlineRotation)."""
    # By the most pods that can run: an autoscaler allowed 1 to 5 pods runs 5 at its busiest,
    # and a budget of one unavailable pod blocks no drain while a single pod runs.
    if safeguards.disruption_budget and most_replicas > 1:
        disruption_budget(at, WORDPRESS)
    if safeguards.network_policy:
        _mysql_policy(at, rotation)
        _wordpress_policy(at, exposure)
        if rotation:
            _rotation_policy(at)
    if autoscaling is not None:
        _autoscaler(at, autoscaling, target)


def _mysql_policy(at: Placement, rotation: bool) -> None:
    """MySQL accepts connections only from the WordPress pods of this stack and its credential
    rotation's Job, on its port only, and connects nowhere but to the cluster's DNS."""
    clients = (Peer(pods=at.selector(WORDPRESS)),) + ((Peer(pods=at.selector(ROTATION)),) if rotation else ())
    workload_policy(
        at,
        MYSQL,
        ingress=[Rule(peers=clients, ports=(Port(MYSQL_PORT),))],
        egress=[],
    )


def _rotation_policy(at: Placement) -> None:
    """The rotation's Job accepts no connection and connects only to MySQL (and the DNS)."""
    workload_policy(
        at,
        ROTATION,
        ingress=[],
        egress=[Rule(peers=(Peer(pods=at.selector(MYSQL)),), ports=(Port(MYSQL_PORT),))],
    )


def _wordpress_policy(at: Placement, exposure: Exposure) -> None:
    """WordPress accepts connections on its HTTP port from its exposure only: the ingress
    controller's namespace (Ingress), any address (NodePort, LoadBalancer: the clients are
    outside the cluster), or the pods of its own namespace (ClusterIP). It connects to MySQL,
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
        egress=[
            Rule(peers=(Peer(pods=at.selector(MYSQL)),), ports=(Port(MYSQL_PORT),)),
            Rule(peers=(Peer(anywhere=True),), ports=(Port(80), Port(443))),
        ],
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
