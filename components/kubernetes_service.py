"""KubernetesService: one extra service (a `services.<name>` entry, such as the recipe's nginx
demo) as a Deployment plus a Service. Scaling it changes the Deployment's replica count only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from components.k8s.placement import Placement
from components.k8s.pods import env, http_probe, pod_spec, resources
from components.k8s.workloads import deployment, disruption_budget, rolling_update, service
from components.service_spec import ResourceSpec, ServiceSpec

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

        pod = pod_spec(
            [_container(spec)],
            # Any image: its user is unknown, so no runAsNonRoot; still no new privileges.
            core.PodSecurityContextArgs(seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault")),
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
        self.register_outputs({"deploymentName": self.deployment_name, "serviceName": self.service_name})


def _container(spec: ServiceSpec) -> core.ContainerArgs:
    targets = {(p.target, p.protocol) for p in spec.ports}
    probe = None
    if spec.health:
        targets.add((spec.health.port, "tcp"))  # a probed port is a declared port
        probe = dict(path=spec.health.path, port=_port_name("tcp", spec.health.port))
    return core.ContainerArgs(
        name=spec.name,
        image=spec.image,
        env=env(dict(spec.env)) or None,
        ports=[
            core.ContainerPortArgs(name=_port_name(protocol, port), container_port=port, protocol=protocol.upper())
            for port, protocol in sorted(targets)
        ]
        or None,
        readiness_probe=http_probe(**probe, period=10, failures=3) if probe else None,
        liveness_probe=http_probe(**probe, period=20, failures=3) if probe else None,
        resources=resources(_quantities(spec.reservations), _quantities(spec.limits)),
        security_context=core.SecurityContextArgs(allow_privilege_escalation=False),
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
