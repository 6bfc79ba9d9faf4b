"""A Deployment with its Service and PodDisruptionBudget: the objects every replicated app needs."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement


def deployment(
    at: Placement,
    name: str,
    pod: k8s.core.v1.PodSpecArgs,
    replicas: Optional[int],
    strategy: k8s.apps.v1.DeploymentStrategyArgs,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> k8s.apps.v1.Deployment:
    """`replicas` None leaves the count to a HorizontalPodAutoscaler (see `autoscaled`)."""
    return k8s.apps.v1.Deployment(
        name,
        metadata=at.metadata(name),
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=replicas,
            selector=at.selects(name),
            strategy=strategy,
            revision_history_limit=5,
            template=k8s.core.v1.PodTemplateSpecArgs(metadata=at.pod_metadata(name), spec=pod),
        ),
        opts=at.opts(opts),
    )


def autoscaled() -> pulumi.ResourceOptions:
    """Options of a Deployment whose replica count an autoscaler owns. With server-side apply,
    a program that sets spec.replicas fights the autoscaler's field manager (a conflict error,
    or the count reset on every update); ignoring the field keeps Pulumi's hands off it, and
    the provider drops it from its apply once the autoscaler owns it."""
    return pulumi.ResourceOptions(ignore_changes=["spec.replicas"])


def rolling_update(max_surge: int, max_unavailable: int) -> k8s.apps.v1.DeploymentStrategyArgs:
    return k8s.apps.v1.DeploymentStrategyArgs(
        type="RollingUpdate",
        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_surge=max_surge, max_unavailable=max_unavailable),
    )


def service(
    at: Placement,
    name: str,
    ports: Sequence[k8s.core.v1.ServicePortArgs],
    service_type: str = "ClusterIP",
    cluster_ip: Optional[str] = None,
    publish_not_ready: bool = False,
) -> k8s.core.v1.Service:
    """A Service in front of workload `name`'s pods; `publish_not_ready`: its addresses are
    published before the pods are ready too."""
    return k8s.core.v1.Service(
        name,
        metadata=at.metadata(name),
        spec=k8s.core.v1.ServiceSpecArgs(
            type=service_type,
            cluster_ip=cluster_ip,
            publish_not_ready_addresses=publish_not_ready or None,
            selector=at.selector(name),
            ports=list(ports),
        ),
        opts=at.opts(),
    )


def disruption_budget(at: Placement, name: str) -> k8s.policy.v1.PodDisruptionBudget:
    """At most one pod of workload `name` down at a time in a voluntary disruption (a node
    drain). Declared only when more than one replica can run: with one it would protect nothing.
    A pod that is running but not ready may always be evicted (AlwaysAllow): a crash-looping
    pod then never blocks a drain, and evicting it costs no availability."""
    return k8s.policy.v1.PodDisruptionBudget(
        name,
        metadata=at.metadata(name),
        spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
            max_unavailable=1, selector=at.selects(name), unhealthy_pod_eviction_policy="AlwaysAllow"
        ),
        opts=at.opts(),
    )
