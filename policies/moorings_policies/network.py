"""database-network-policy: in the cluster, only what should reach MySQL can."""

from __future__ import annotations

from typing import Iterator

from pulumi_policy import Severity

from .core import Context, Resource, first_unknown, get, items, show, stack_rule
from .workloads import NETWORK_POLICY, is_database, namespace, pod, selector_matches, show_labels


def _restricts_ingress(policy: Resource) -> bool:
    """Ingress is among its policyTypes (explicitly, or by default) and every rule names its sources."""
    types = policy.get("spec", "policyTypes")
    if types is not None and "Ingress" not in items(types):
        return False
    return all(items(get(rule, "from")) for rule in items(policy.get("spec", "ingress")))


def check(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    for database in resources:
        spec = pod(database)
        if spec is None or not is_database(database):
            continue
        labels = spec.labels
        selecting = []
        for policy in policies:
            if namespace(policy) != namespace(database):
                continue
            verdict = selector_matches(policy.get("spec", "podSelector"), labels)
            if verdict is None:
                ctx.defer(first_unknown([labels, policy.get("spec", "podSelector")]))
            elif verdict:
                selecting.append(policy)
        if any(_restricts_ingress(p) for p in selecting):
            continue
        if selecting:
            names = ", ".join(f"'{p.name}'" for p in selecting)
            found = f"the NetworkPolicy {names} selecting them admits every source (no Ingress policyType, or an ingress rule without `from`)"
        else:
            found = f"no NetworkPolicy in namespace {show(namespace(database))} selects them"
        yield database, (
            f"{database.label}: runs MySQL in pods labelled {show_labels(labels)}, and {found}, so any pod "
            "in the cluster can connect to it. Fix: declare a networking.k8s.io/v1 NetworkPolicy whose "
            "podSelector matches these labels, with policyTypes [Ingress] and one ingress rule from the "
            "WordPress pods to port 3306."
        )


POLICIES = [
    stack_rule(
        "database-network-policy",
        "A NetworkPolicy restricts who may connect to the MySQL pods on Kubernetes.",
        check,
        Severity.HIGH,
    )
]
