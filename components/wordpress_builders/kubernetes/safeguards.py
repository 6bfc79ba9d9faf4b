"""Production safeguards that sit beside the workloads: disruption budget, network policy, autoscaler.
(`protect` on the MySQL claim is a resource option, set where the claim is declared.)"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from components.k8s.labels import metadata, selector
from components.k8s.workloads import disruption_budget
from components.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from components.wordpress_builders.kubernetes.wordpress import NAME as WORDPRESS
from components.wordpress_builders.kubernetes.options import Autoscaling, Safeguards
from components.wordpress_stack import MYSQL_PORT


def guard(
    parent: pulumi.Resource,
    namespace: pulumi.Input[str],
    instance: str,
    safeguards: Safeguards,
    fewest_replicas: int,
    autoscaling: Optional[Autoscaling],
    target: k8s.apps.v1.Deployment,
) -> None:
    child = pulumi.ResourceOptions(parent=parent)
    if safeguards.disruption_budget and fewest_replicas > 1:
        disruption_budget(WORDPRESS, namespace, instance, child)
    if safeguards.network_policy:
        _mysql_policy(namespace, instance, child)
    if autoscaling is not None:
        _autoscaler(namespace, instance, autoscaling, target, child)


def _mysql_policy(namespace: pulumi.Input[str], instance: str, opts: pulumi.ResourceOptions) -> None:
    """MySQL accepts connections only from the WordPress pods of this stack, on its port only."""
    k8s.networking.v1.NetworkPolicy(
        MYSQL,
        metadata=metadata(MYSQL, namespace, instance),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(MYSQL, instance)),
            policy_types=["Ingress"],
            ingress=[
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[
                        k8s.networking.v1.NetworkPolicyPeerArgs(
                            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(WORDPRESS, instance))
                        )
                    ],
                    ports=[k8s.networking.v1.NetworkPolicyPortArgs(port=MYSQL_PORT, protocol="TCP")],
                )
            ],
        ),
        opts=opts,
    )


def _autoscaler(
    namespace: pulumi.Input[str],
    instance: str,
    autoscaling: Autoscaling,
    target: k8s.apps.v1.Deployment,
    opts: pulumi.ResourceOptions,
) -> None:
    v2 = k8s.autoscaling.v2
    v2.HorizontalPodAutoscaler(
        WORDPRESS,
        metadata=metadata(WORDPRESS, namespace, instance),
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
        opts=opts,
    )
