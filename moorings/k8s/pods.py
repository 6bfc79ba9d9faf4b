"""Pod and container settings: probes, requests and limits, security contexts, pod spec defaults."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.secret_args import FileReader

core = k8s.core.v1

# Every start asks the registry what the pinned tag names: a node never runs a stale cached
# image, and a private image is pulled with the pod's own credentials (never reused from a
# node's cache by a pod that may not pull it). The cost: a pod start needs the registry.
PULL_POLICY = "Always"


def env(variables: Mapping[str, pulumi.Input[str]]) -> list[core.EnvVarArgs]:
    """Plain variables, in a stable order (a reordering would change the pod template)."""
    return [core.EnvVarArgs(name=name, value=value) for name, value in variables.items()]


def resources(requests: dict[str, str], limits: dict[str, str]) -> Optional[core.ResourceRequirementsArgs]:
    if not requests and not limits:
        return None
    return core.ResourceRequirementsArgs(requests=requests or None, limits=limits or None)


def http_probe(path: str, port: str, period: int, failures: int, timeout: int = 5) -> core.ProbeArgs:
    return core.ProbeArgs(
        http_get=core.HTTPGetActionArgs(path=path, port=port),
        period_seconds=period,
        failure_threshold=failures,
        timeout_seconds=timeout,
    )


def tcp_probe(port: str, period: int, failures: int, timeout: int = 5) -> core.ProbeArgs:
    return core.ProbeArgs(
        tcp_socket=core.TCPSocketActionArgs(port=port),
        period_seconds=period,
        failure_threshold=failures,
        timeout_seconds=timeout,
    )


def exec_probe(command: Sequence[str], period: int, failures: int, timeout: int = 5) -> core.ProbeArgs:
    return core.ProbeArgs(
        exec_=core.ExecActionArgs(command=list(command)),
        period_seconds=period,
        failure_threshold=failures,
        timeout_seconds=timeout,
    )


def restricted_container(read_only_root: bool = True, add: Sequence[str] = ()) -> core.SecurityContextArgs:
    """The "restricted" Pod Security Standard for one container, plus a read-only root
    filesystem: the image writes only to the volumes mounted for it (`scratch`)."""
    return core.SecurityContextArgs(
        allow_privilege_escalation=False,
        privileged=False,
        read_only_root_filesystem=read_only_root,
        capabilities=core.CapabilitiesArgs(drop=["ALL"], add=list(add) or None),
    )


def restricted_pod(reader: FileReader) -> core.PodSecurityContextArgs:
    """Run as the image's own non-root user. fsGroup gives that user's group the volumes: the
    data volume is writable, and the 0400 secret files become root:<group> 0440, readable."""
    return core.PodSecurityContextArgs(
        run_as_non_root=True,
        run_as_user=int(reader.uid),
        run_as_group=int(reader.gid),
        fs_group=int(reader.gid),
        fs_group_change_policy="OnRootMismatch",  # no recursive chown of a large volume at every start
        seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
    )


def scratch(path: str, size_limit: str, name: Optional[str] = None) -> tuple[core.VolumeArgs, core.VolumeMountArgs]:
    """A writable directory on a read-only root filesystem: an emptyDir, as big as `size_limit`
    at most, that lives as long as the pod (its contents start empty at every start)."""
    volume = name or scratch_name(path)
    return (
        core.VolumeArgs(name=volume, empty_dir=core.EmptyDirVolumeSourceArgs(size_limit=size_limit)),
        core.VolumeMountArgs(name=volume, mount_path=path),
    )


def scratch_name(path: str) -> str:
    """A volume name from a path: /var/cache/nginx -> scratch-var-cache-nginx (a DNS label)."""
    words = "-".join(part for part in path.lower().replace("_", "-").replace(".", "-").split("/") if part)
    return f"scratch-{words}"[:63].rstrip("-")


def spread(match: dict[str, str]) -> list[core.TopologySpreadConstraintArgs]:
    """Prefer one replica per node. Soft, so a one-node cluster still schedules them all; kept at
    every replica count, so scaling never changes the pod template (no rollout to scale)."""
    return [
        core.TopologySpreadConstraintArgs(
            max_skew=1,
            topology_key="kubernetes.io/hostname",
            when_unsatisfiable="ScheduleAnyway",
            label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=match),
        )
    ]


def pod_spec(
    containers: Sequence[core.ContainerArgs],
    security_context: core.PodSecurityContextArgs,
    volumes: Sequence[core.VolumeArgs] = (),
    spread_over: Optional[dict[str, str]] = None,
    restart_policy: Optional[str] = None,
    affinity: Optional[core.AffinityArgs] = None,
) -> core.PodSpecArgs:
    """`restart_policy`: a Job's pods need Never or OnFailure; others keep the default (Always)."""
    return core.PodSpecArgs(
        containers=list(containers),
        restart_policy=restart_policy,
        affinity=affinity,
        volumes=list(volumes) or None,
        security_context=security_context,
        topology_spread_constraints=spread(spread_over) if spread_over else None,
        # The apps never call the Kubernetes API. Without the token mount, /var/run/secrets
        # (/run/secrets on these images) also stays free for the secret files.
        automount_service_account_token=False,
        # No MYSQL_PORT=tcp://... style variables injected from Services: the images read
        # MYSQL_* and WORDPRESS_* variables as their own settings.
        enable_service_links=False,
    )
