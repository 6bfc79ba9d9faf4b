"""NetworkPolicies: one per workload, each naming who may reach its pods, on which ports, and
where its pods may connect to. A pod that a policy selects for a direction refuses all the
traffic in that direction that no rule of the policy admits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement

networking = k8s.networking.v1
meta = k8s.meta.v1

# Where the cluster's DNS runs: CoreDNS (or kube-dns) in kube-system carries the label
# k8s-app=kube-dns on kubeadm, kind, EKS, GKE and AKS clusters alike.
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}
ANY_ADDRESS = "0.0.0.0/0"


@dataclass(frozen=True)
class Port:
    port: int | str
    """A number or a container port's name."""
    protocol: str = "TCP"


@dataclass(frozen=True)
class Peer:
    """Who is on the other end: pods of this namespace (`pods`), pods of another namespace
    (`namespace`, with `pods` or every pod in it), any address (`anywhere`) or the addresses of
    one block (`cidr`, e.g. an external database's 10.0.0.5/32)."""

    pods: Optional[dict[str, str]] = None
    namespace: Optional[str] = None
    anywhere: bool = False
    cidr: Optional[str] = None

    def args(self) -> networking.NetworkPolicyPeerArgs:
        if self.anywhere or self.cidr:
            return networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=self.cidr or ANY_ADDRESS))
        return networking.NetworkPolicyPeerArgs(
            pod_selector=meta.LabelSelectorArgs(match_labels=self.pods or None) if self.pods is not None else None,
            namespace_selector=meta.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": self.namespace})
            if self.namespace
            else None,
        )


@dataclass(frozen=True)
class Rule:
    peers: Sequence[Peer]
    """Empty: any source or destination."""
    ports: Sequence[Port]


DNS = Rule(
    peers=(Peer(pods=DNS_POD_LABELS, namespace=DNS_NAMESPACE),),
    ports=(Port(53, "UDP"), Port(53, "TCP")),
)


def workload_policy(at: Placement, name: str, ingress: Sequence[Rule], egress: Sequence[Rule]) -> networking.NetworkPolicy:
    """The policy of workload `name`'s pods: both directions are restricted; an empty list of
    rules for a direction admits nothing in it. Egress always admits DNS."""
    return networking.NetworkPolicy(
        name,
        metadata=at.metadata(name),
        spec=networking.NetworkPolicySpecArgs(
            pod_selector=at.selects(name),
            policy_types=["Ingress", "Egress"],
            ingress=[_ingress(rule) for rule in ingress],
            egress=[_egress(rule) for rule in (DNS, *egress)],
        ),
        opts=at.opts(),
    )


def _ports(rule: Rule) -> Optional[list[networking.NetworkPolicyPortArgs]]:
    return [networking.NetworkPolicyPortArgs(port=p.port, protocol=p.protocol) for p in rule.ports] or None


def _ingress(rule: Rule) -> networking.NetworkPolicyIngressRuleArgs:
    return networking.NetworkPolicyIngressRuleArgs(from_=[p.args() for p in rule.peers] or None, ports=_ports(rule))


def _egress(rule: Rule) -> networking.NetworkPolicyEgressRuleArgs:
    return networking.NetworkPolicyEgressRuleArgs(to=[p.args() for p in rule.peers] or None, ports=_ports(rule))
