"""A Deployment with its Service and PodDisruptionBudget: the objects every replicated app needs."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.k8s.labels import labels, metadata, selector


def deployment(
    name: str,
    namespace: pulumi.Input[str],
    instance: str,
    pod: k8s.core.v1.PodSpecArgs,
    replicas: Optional[int],
    strategy: k8s.apps.v1.DeploymentStrategyArgs,
    opts: pulumi.ResourceOptions,
) -> k8s.apps.v1.Deployment:
    """`replicas` None leaves the count to a HorizontalPodAutoscaler (see `autoscaled`)."""
    return k8s.apps.v1.Deployment(
        name,
        metadata=metadata(name, namespace, instance),
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=replicas,
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(name, instance)),
            strategy=strategy,
            revision_history_limit=5,
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels(name, instance)),
                spec=pod,
            ),
        ),
        opts=opts,
    )


def autoscaled(opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """Options of a Deployment whose replica count an autoscaler owns. With server-side apply,
    a program that sets spec.replicas fights the autoscaler's field manager (a conflict error,
    or the count reset on every update); ignoring the field keeps Pulumi's hands off it, and
    the provider drops it from its apply once the autoscaler owns it."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(ignore_changes=["spec.replicas"]))


def rolling_update(max_surge: int, max_unavailable: int) -> k8s.apps.v1.DeploymentStrategyArgs:
    return k8s.apps.v1.DeploymentStrategyArgs(
        type="RollingUpdate",
        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_surge=max_surge, max_unavailable=max_unavailable),
    )


def service(
    name: str,
    namespace: pulumi.Input[str],
    instance: str,
    ports: Sequence[k8s.core.v1.ServicePortArgs],
    service_type: str,
    opts: pulumi.ResourceOptions,
    cluster_ip: Optional[str] = None,
) -> k8s.core.v1.Service:
    return k8s.core.v1.Service(
        name,
        metadata=metadata(name, namespace, instance),
        spec=k8s.core.v1.ServiceSpecArgs(
            type=service_type,
            cluster_ip=cluster_ip,
            selector=selector(name, instance),
            ports=list(ports),
        ),
        opts=opts,
    )


def disruption_budget(
    name: str, namespace: pulumi.Input[str], instance: str, opts: pulumi.ResourceOptions
) -> k8s.policy.v1.PodDisruptionBudget:
    """At most one pod of the workload down at a time in a voluntary disruption (a node drain).
    Declared only when more than one replica runs: with one, it would block every drain."""
    return k8s.policy.v1.PodDisruptionBudget(
        name,
        metadata=metadata(name, namespace, instance),
        spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
            max_unavailable=1,
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(name, instance)),
        ),
        opts=opts,
    )
