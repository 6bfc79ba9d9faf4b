"""The recommended app.kubernetes.io labels, and the subset that selects a workload's pods."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s


def selector(name: str, instance: str) -> dict[str, str]:
    """Labels that select one workload's pods. Never change them: a Deployment's selector is immutable."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}


def labels(name: str, instance: str) -> dict[str, str]:
    return {
        **selector(name, instance),
        "app.kubernetes.io/part-of": "moorings",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def metadata(name: str, namespace: pulumi.Input[str], instance: str) -> k8s.meta.v1.ObjectMetaArgs:
    """A fixed name in the stack's own namespace: readable, and stable across updates."""
    return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=labels(name, instance))
