"""The kubernetes-only options of a WordPressStack (`WordPressStackArgs.kubernetes`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi

READ_WRITE_ONCE = "ReadWriteOnce"
READ_WRITE_MANY = "ReadWriteMany"


@dataclass(frozen=True)
class Storage:
    """A PersistentVolumeClaim's request."""

    size: str
    """Kubernetes quantity, e.g. 10Gi."""
    class_name: Optional[str] = None
    """StorageClass; None leaves it to the cluster's default class."""
    access_mode: str = READ_WRITE_ONCE
    """ReadWriteOnce (one node) or ReadWriteMany (shared: needed by more than one replica)."""


@dataclass(frozen=True)
class Resources:
    """Requests and limits of one container."""

    cpu: str = "250m"
    """CPU request: what the scheduler reserves and the autoscaler's 100%."""
    cpu_limit: str = "1"
    memory: str = "512Mi"
    """Memory request and limit alike: a pod is never scheduled on memory it may not get."""

    def requests(self) -> dict[str, str]:
        return {"cpu": self.cpu, "memory": self.memory}

    def limits(self) -> dict[str, str]:
        return {"cpu": self.cpu_limit, "memory": self.memory}


@dataclass(frozen=True)
class Ingress:
    host: str
    """Host name WordPress is served on, e.g. blog.example.com."""
    class_name: Optional[str] = None
    """IngressClass; None leaves it to the cluster's default class."""
    tls_secret: Optional[str] = None
    """Secret (type kubernetes.io/tls, in the stack's namespace) for HTTPS; None serves HTTP."""
    controller_namespace: str = "ingress-nginx"
    """Namespace of the ingress controller's pods: the only clients WordPress's NetworkPolicy admits."""


@dataclass(frozen=True)
class Exposure:
    """How WordPress is reached: the Service's type, and an optional Ingress in front of it."""

    service_type: str = "ClusterIP"
    """ClusterIP, NodePort or LoadBalancer."""
    node_port: Optional[int] = None
    """NodePort only: a fixed port (30000-32767); None lets the cluster pick."""
    ingress: Optional[Ingress] = None
    """An Ingress routing `host` to a ClusterIP Service."""


@dataclass(frozen=True)
class Safeguards:
    """Production safeguards; `protect` on the MySQL claim is `MySqlSpec.protect_data`."""

    disruption_budget: bool = True
    """A PodDisruptionBudget (at most one pod down in a drain) when more than one replica runs."""
    network_policy: bool = True
    """A NetworkPolicy per workload: MySQL reachable from WordPress only, WordPress from its
    exposure only, each service on its published ports only; egress to DNS and what each needs."""


@dataclass(frozen=True)
class Autoscaling:
    """A HorizontalPodAutoscaler owns the WordPress replica count within these bounds."""

    min_replicas: int
    max_replicas: int
    cpu_percent: int = 70
    """Target average CPU use, in percent of the CPU request."""


@dataclass(frozen=True)
class WordPressKubernetesOptions:
    namespace: pulumi.Input[str]
    """Namespace of every object (pass the Namespace's output so objects wait for it)."""
    mysql_storage: Storage = Storage("10Gi")
    wp_content_storage: Storage = Storage("5Gi")
    backup_storage: Storage = Storage("10Gi")
    """The protected claim scheduled backups are written to (only with WordPressStackArgs.backup)."""
    exposure: Exposure = Exposure()
    safeguards: Safeguards = Safeguards()
    autoscaling: Optional[Autoscaling] = None
    """None: `WordPressSpec.replicas` is the replica count."""
    wordpress_resources: Resources = field(default_factory=Resources)
    mysql_resources: Resources = field(default_factory=lambda: Resources(memory="1Gi"))

    def replica_bounds(self, replicas: int) -> tuple[int, int]:
        """(fewest, most) WordPress pods that may run: fixed, or the autoscaler's bounds."""
        if self.autoscaling is None:
            return replicas, replicas
        return self.autoscaling.min_replicas, self.autoscaling.max_replicas
