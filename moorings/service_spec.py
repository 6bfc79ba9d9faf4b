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
class SecuritySpec:
    """How a service's containers are confined. The default is the restricted profile: a
    non-root user, every capability dropped, no privilege escalation, a read-only root
    filesystem with writable scratch space at `writable_paths` only, seccomp RuntimeDefault.
    Each relaxation is a field set in the stack's config, and the settings refuse one without
    `why`: an exception shows in config and in the review of its diff, never silently."""

    run_as_user: Optional[int] = None
    """UID the container runs as; None keeps the image's USER (Kubernetes refuses to start it
    if that is root, because run_as_non_root stays true)."""
    run_as_group: Optional[int] = None
    run_as_non_root: bool = True
    read_only_root_filesystem: bool = True
    writable_paths: tuple[str, ...] = ("/tmp",)
    """Directories the image must write: an emptyDir (Kubernetes) or a tmpfs (Swarm) each."""
    capabilities: tuple[str, ...] = ()
    """Capabilities added back after dropping ALL (names without CAP_, e.g. NET_BIND_SERVICE)."""
    why: Optional[str] = None
    """Why this service is relaxed: required as soon as any field above relaxes the profile."""

    def relaxations(self) -> tuple[str, ...]:
        """The config keys (camelCase) that relax the restricted profile."""
        found = []
        if not self.run_as_non_root:
            found.append("runAsNonRoot")
        if self.run_as_user == 0:
            found.append("runAsUser")
        if not self.read_only_root_filesystem:
            found.append("readOnlyRootFilesystem")
        if self.capabilities:
            found.append("capabilities")
        return tuple(found)


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
    security: SecuritySpec = SecuritySpec()
    """Restricted by default; see SecuritySpec for the opt-outs."""
    stop_grace_period: Optional[str] = None
    """Swarm only: how long a task gets between SIGTERM and SIGKILL (e.g. 30s, 1m30s); None keeps the platform's default."""
