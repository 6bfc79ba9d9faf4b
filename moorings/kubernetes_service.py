"""KubernetesService: one extra service (a `services.<name>` entry, such as the recipe's nginx
demo) as a Deployment plus a Service. Scaling it changes the Deployment's replica count only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.network_policies import Port, Rule, workload_policy
from moorings.k8s.placement import Placement
from moorings.k8s.pods import PULL_POLICY, env, http_probe, pod_spec, resources, restricted_container, scratch
from moorings.k8s.workloads import deployment, disruption_budget, rolling_update, service
from moorings.service_spec import ResourceSpec, SecuritySpec, ServiceSpec

core = k8s.core.v1


@dataclass(frozen=True)
class KubernetesServiceArgs:
    spec: ServiceSpec
    """Image, replicas, ports, env, limits/reservations and health (mode replicated only)."""
    namespace: pulumi.Input[str]
    instance: str
    """Value of the app.kubernetes.io/instance label (the stack's name prefix)."""
    service_type: str = "ClusterIP"
    """Type of the Service in front of the pods: ClusterIP, NodePort or LoadBalancer."""
    disruption_budget: bool = True
    """A PodDisruptionBudget (at most one pod down in a drain) when more than one replica runs."""
    network_policy: bool = True
    """A NetworkPolicy: the pods accept connections on their published ports only, and
    connect to the cluster's DNS only."""
    scratch_size: str = "64Mi"
    """Size limit of each writable directory (`spec.security.writable_paths`)."""


class KubernetesService(pulumi.ComponentResource):
    deployment_name: pulumi.Output[str]
    service_name: Optional[pulumi.Output[str]]
    """None when the entry publishes no port."""

    def __init__(
        self,
        name: str,
        args: KubernetesServiceArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        spec = args.spec
        if spec.mode != "replicated":
            raise ValueError(f"KubernetesService {name}: mode {spec.mode!r} is swarm only; use replicated")
        super().__init__("moorings:index:KubernetesService", name, None, opts)
        at = Placement(parent=self, namespace=args.namespace, instance=args.instance)

        writable = [scratch(path, args.scratch_size) for path in spec.security.writable_paths]
        pod = pod_spec(
            [_container(spec, [mount for _, mount in writable])],
            _pod_security(spec.security),
            volumes=[volume for volume, _ in writable],
            spread_over=at.selector(spec.name),
        )
        self.deployment_name = deployment(at, spec.name, pod, spec.replicas, rolling_update(1, 0)).metadata.name
        self.service_name = None
        if spec.ports:
            ports = [
                core.ServicePortArgs(
                    name=_port_name(p.protocol, p.published),
                    port=p.published,
                    target_port=_port_name(p.protocol, p.target),
                    protocol=p.protocol.upper(),
                )
                for p in spec.ports
            ]
            self.service_name = service(at, spec.name, ports, args.service_type).metadata.name
        if args.disruption_budget and spec.replicas > 1:
            disruption_budget(at, spec.name)
        if args.network_policy:
            # Published ports only, from any client (the Service has the exposure's type).
            # Probes come from the kubelet on the node, which the CNIs admit.
            published = [Port(_port_name(p.protocol, p.target), p.protocol.upper()) for p in spec.ports]
            workload_policy(at, spec.name, ingress=[Rule(peers=(), ports=published)] if published else [], egress=[])
        self.register_outputs({"deploymentName": self.deployment_name, "serviceName": self.service_name})


def _pod_security(security: SecuritySpec) -> core.PodSecurityContextArgs:
    """The image's own user unless the entry names one; never root unless the entry says why."""
    return core.PodSecurityContextArgs(
        run_as_non_root=security.run_as_non_root,
        run_as_user=security.run_as_user,
        run_as_group=security.run_as_group,
        seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
    )


def _container(spec: ServiceSpec, mounts: list[core.VolumeMountArgs]) -> core.ContainerArgs:
    targets = {(p.target, p.protocol) for p in spec.ports}
    probe = None
    if spec.health:
        targets.add((spec.health.port, "tcp"))  # a probed port is a declared port
        probe = dict(path=spec.health.path, port=_port_name("tcp", spec.health.port))
    return core.ContainerArgs(
        name=spec.name,
        image=spec.image,
        image_pull_policy=PULL_POLICY,
        env=env(dict(spec.env)) or None,
        ports=[
            core.ContainerPortArgs(name=_port_name(protocol, port), container_port=port, protocol=protocol.upper())
            for port, protocol in sorted(targets)
        ]
        or None,
        readiness_probe=http_probe(**probe, period=10, failures=3) if probe else None,
        liveness_probe=http_probe(**probe, period=20, failures=3) if probe else None,
        resources=resources(_quantities(spec.reservations), _quantities(spec.limits)),
        volume_mounts=mounts or None,
        security_context=restricted_container(
            read_only_root=spec.security.read_only_root_filesystem, add=spec.security.capabilities
        ),
    )


def _quantities(spec: ResourceSpec) -> dict[str, str]:
    found = {}
    if spec.cpu is not None:
        found["cpu"] = f"{round(spec.cpu * 1000)}m"
    if spec.memory_mb is not None:
        found["memory"] = f"{spec.memory_mb}Mi"
    return found


def _port_name(protocol: str, port: int) -> str:
    """An IANA-style port name (at most 15 characters, with a letter): tcp-80, udp-53."""
    return f"{protocol}-{port}"
