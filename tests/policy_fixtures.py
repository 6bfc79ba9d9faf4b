"""Builders for policy-test programs: real pulumi_docker / pulumi_kubernetes resources that pass
every rule unless a test overrides one field, so a failing fixture breaks exactly one rule."""

from __future__ import annotations

from typing import Any, Optional

import pulumi
import pulumi_docker as docker
import pulumi_kubernetes as k8s

WORDPRESS = "wordpress:6.8.3-apache"
MYSQL = "mysql:8.4.6"
meta = k8s.meta.v1
core = k8s.core.v1
# The family tests judge one rule family each, on workloads declared alone: the stack rule that
# every workload has a NetworkPolicy is judged by tests/unit/test_policy_restricted.py.
ONE_FAMILY = {"workload-network-policy": "disabled"}


# --- docker (platform docker) ---------------------------------------------------------------------

def container(name: str, **overrides: Any) -> docker.Container:
    args: dict[str, Any] = dict(
        image=WORDPRESS,
        envs=["WORDPRESS_DB_HOST=mysql:3306"],
        healthcheck=docker.ContainerHealthcheckArgs(tests=["CMD", "true"], interval="10s"),
        security_opts=["no-new-privileges:true"],
        read_only=True,
        capabilities=docker.ContainerCapabilitiesArgs(drops=["ALL"]),
    )
    args.update(overrides)
    return docker.Container(name, **args)


# --- Swarm (platform swarm) -----------------------------------------------------------------------

def service(
    name: str,
    replicas: Optional[int] = 2,
    endpoint: Any = None,
    opts: Any = None,
    global_mode: bool = False,
    **container_overrides: Any,
) -> docker.Service:
    spec: dict[str, Any] = dict(
        image=WORDPRESS,
        env={"WORDPRESS_DB_HOST": "mysql:3306"},
        healthcheck=docker.ServiceTaskSpecContainerSpecHealthcheckArgs(tests=["CMD", "true"]),
        read_only=True,
        cap_drops=["ALL"],
    )
    spec.update(container_overrides)
    resources = spec.pop("resources", swarm_resources())
    networks = spec.pop("networks_advanceds", None)
    return docker.Service(
        name,
        name=name,
        task_spec=docker.ServiceTaskSpecArgs(
            container_spec=docker.ServiceTaskSpecContainerSpecArgs(**spec),
            resources=resources,
            networks_advanceds=networks,
        ),
        mode=docker.ServiceModeArgs(global_=True) if global_mode else docker.ServiceModeArgs(
            replicated=docker.ServiceModeReplicatedArgs(replicas=replicas)
        ),
        endpoint_spec=endpoint,
        opts=opts,
    )


def swarm_resources(cpus: float = 0.5, memory_mb: int = 256) -> docker.ServiceTaskSpecResourcesArgs:
    return docker.ServiceTaskSpecResourcesArgs(
        limits=docker.ServiceTaskSpecResourcesLimitsArgs(nano_cpus=int(cpus * 1e9), memory_bytes=memory_mb * 2**20),
        reservation=docker.ServiceTaskSpecResourcesReservationArgs(nano_cpus=int(cpus * 5e8), memory_bytes=memory_mb * 2**19),
    )


# --- Kubernetes (platform kubernetes) -------------------------------------------------------------

def probe(port: int = 80) -> core.ProbeArgs:
    return core.ProbeArgs(tcp_socket=core.TCPSocketActionArgs(port=port))


def k8s_container(name: str = "wordpress", image: str = WORDPRESS, **overrides: Any) -> core.ContainerArgs:
    args: dict[str, Any] = dict(
        name=name,
        image=image,
        resources=core.ResourceRequirementsArgs(
            requests={"cpu": "100m", "memory": "128Mi"}, limits={"cpu": "500m", "memory": "256Mi"}
        ),
        readiness_probe=probe(),
        liveness_probe=probe(),
        security_context=restricted_container(),
    )
    args.update(overrides)
    return core.ContainerArgs(**args)


def restricted_container(**overrides: Any) -> core.SecurityContextArgs:
    """The restricted profile for one container (the pod's half is `restricted_pod`)."""
    args: dict[str, Any] = dict(
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        capabilities=core.CapabilitiesArgs(drop=["ALL"]),
    )
    args.update(overrides)
    return core.SecurityContextArgs(**args)


def restricted_pod(**overrides: Any) -> core.PodSecurityContextArgs:
    args: dict[str, Any] = dict(
        run_as_non_root=True, run_as_user=33, seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault")
    )
    args.update(overrides)
    return core.PodSecurityContextArgs(**args)


def pod_spec(containers: Optional[list] = None, **overrides: Any) -> core.PodSpecArgs:
    overrides.setdefault("security_context", restricted_pod())
    return core.PodSpecArgs(containers=containers or [k8s_container()], **overrides)


def deployment(
    name: str,
    replicas: Optional[int] = 1,
    labels: Optional[dict] = None,
    spec: Optional[core.PodSpecArgs] = None,
    namespace: Optional[str] = None,
    kind: Any = k8s.apps.v1.Deployment,
    opts: Any = None,
    **workload_spec: Any,
) -> pulumi.CustomResource:
    labels = labels or {"app": name}
    spec_args = k8s.apps.v1.StatefulSetSpecArgs if kind is k8s.apps.v1.StatefulSet else k8s.apps.v1.DeploymentSpecArgs
    return kind(
        name,
        metadata=meta.ObjectMetaArgs(name=name, namespace=namespace),
        spec=spec_args(
            replicas=replicas,
            selector=meta.LabelSelectorArgs(match_labels=labels),
            template=core.PodTemplateSpecArgs(metadata=meta.ObjectMetaArgs(labels=labels), spec=spec or pod_spec()),
            **workload_spec,
        ),
        opts=opts,
    )


def pdb(name: str, match_labels: dict, namespace: Optional[str] = None, opts: Any = None, **selector: Any) -> k8s.policy.v1.PodDisruptionBudget:
    return k8s.policy.v1.PodDisruptionBudget(
        name,
        metadata=meta.ObjectMetaArgs(namespace=namespace),
        spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
            min_available=1,
            selector=meta.LabelSelectorArgs(match_labels=match_labels, **selector),
            unhealthy_pod_eviction_policy="AlwaysAllow",
        ),
        opts=opts,
    )
