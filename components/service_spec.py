"""ServiceSpec: one extra service as data, the same on every platform that runs services.

The settings build these from `services.<name>` config; SwarmService and the Kubernetes
service component take them. Defined here so that components never import stack code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class PortSpec:
    target: int
    """Port inside the container."""
    published: int
    """Port on the swarm ingress / host, or of the Kubernetes Service."""
    protocol: str = "tcp"
    mode: str = "ingress"
    """Swarm publish mode: ingress (routing mesh) or host."""


@dataclass(frozen=True)
class ResourceSpec:
    cpu: Optional[float] = None
    """CPU cores (0.5 = half a core)."""
    memory_mb: Optional[int] = None


@dataclass(frozen=True)
class HealthSpec:
    port: int
    path: str = "/"
    """HTTP path that answers 2xx/3xx when the service is healthy."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    image: str
    replicas: int = 1
    mode: str = "replicated"
    """replicated (runs `replicas` tasks) or global (one task per node; swarm only)."""
    ports: tuple[PortSpec, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    """Plain, non-secret variables only; secrets go through a SecretBundle."""
    limits: ResourceSpec = ResourceSpec()
    reservations: ResourceSpec = ResourceSpec()
    health: Optional[HealthSpec] = None
    stop_grace_period: Optional[str] = None
    """Swarm only: how long a task gets between SIGTERM and SIGKILL (e.g. 30s, 1m30s); None keeps the platform's default."""
