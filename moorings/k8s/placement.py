"""Where a component's Kubernetes objects go, and the labels that tie them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s


def selector(name: str, instance: str) -> dict[str, str]:
    """Labels that select one workload's pods. Never change them: a Deployment's selector is immutable."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}


def labels(name: str, instance: str) -> dict[str, str]:
    """The recommended app.kubernetes.io labels."""
    return {
        **selector(name, instance),
        "app.kubernetes.io/part-of": "moorings",
        "app.kubernetes.io/managed-by": "pulumi",
    }


@dataclass(frozen=True)
class Placement:
    """The Pulumi parent, the namespace and the instance label of a component's objects."""

    parent: pulumi.Resource
    namespace: pulumi.Input[str]
    """The Namespace's output where there is one: the objects then wait for it."""
    instance: str
    """Value of app.kubernetes.io/instance: the stack's name prefix."""

    def opts(self, extra: Optional[pulumi.ResourceOptions] = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self.parent), extra)

    def metadata(self, name: str) -> k8s.meta.v1.ObjectMetaArgs:
        """A fixed name in the stack's own namespace: readable, and stable across updates."""
        return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=self.namespace, labels=labels(name, self.instance))

    def selector(self, name: str) -> dict[str, str]:
        return selector(name, self.instance)

    def selects(self, name: str) -> k8s.meta.v1.LabelSelectorArgs:
        return k8s.meta.v1.LabelSelectorArgs(match_labels=self.selector(name))

    def pod_metadata(self, name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(labels=labels(name, self.instance))
