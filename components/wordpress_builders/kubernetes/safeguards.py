"""Production safeguards that sit beside the workloads: disruption budget, network policy, autoscaler.
(`protect` on the MySQL claim is a resource option, set where the claim is declared.)"""

from __future__ import annotations

from typing import Optional

import pulumi_kubernetes as k8s

from components.k8s.placement import Placement
from components.k8s.workloads import disruption_budget
from components.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from components.wordpress_builders.kubernetes.options import Autoscaling, Safeguards
from components.wordpress_builders.kubernetes.wordpress import NAME as WORDPRESS
from components.wordpress_stack import MYSQL_PORT

networking = k8s.networking.v1


def guard(
    at: Placement,
    safeguards: Safeguards,
    fewest_replicas: int,
    autoscaling: Optional[Autoscaling],
    target: k8s.apps.v1.Deployment,
) -> None:
    if safeguards.disruption_budget and fewest_replicas > 1:
        disruption_budget(at, WORDPRESS)
    if safeguards.network_policy:
        _mysql_policy(at)
    if autoscaling is not None:
        _autoscaler(at, autoscaling, target)


def _mysql_policy(at: Placement) -> None:
    """MySQL accepts connections only from the WordPress pods of this stack, on its port only."""
    networking.NetworkPolicy(
        MYSQL,
        metadata=at.metadata(MYSQL),
        spec=networking.NetworkPolicySpecArgs(
            pod_selector=at.selects(MYSQL),
            policy_types=["Ingress"],
            ingress=[
                networking.NetworkPolicyIngressRuleArgs(
                    from_=[networking.NetworkPolicyPeerArgs(pod_selector=at.selects(WORDPRESS))],
                    ports=[networking.NetworkPolicyPortArgs(port=MYSQL_PORT, protocol="TCP")],
                )
            ],
        ),
        opts=at.opts(),
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
