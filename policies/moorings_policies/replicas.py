"""How many copies run: within the environment's bounds, and protected from voluntary disruption."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import PolicyConfigSchema, Severity

from .core import Context, Resource, first_unknown, get, is_unknown, number, resource_rule, show, stack_rule
from .workloads import DEPLOYMENT, HPA, PDB, SCALABLE, SERVICE, STATEFUL_SET, is_database, namespace, pod, selector_matches, show_labels


def _count(value: Any, default: float = 1) -> Any:
    """A replica count from the wire (a float), the default when unset, or the Unknown."""
    return value if is_unknown(value) else (number(value) if value is not None else default)


def _replica_fields(resource: Resource) -> list[tuple[str, Any, str]]:
    """(field, count, which bound applies: min, max or both) for the resource's replica counts."""
    if resource.type in SCALABLE:
        if resource.get("spec", "replicas") is None:
            return []  # left to an autoscaler: replicas-set-or-autoscaled checks that one exists
        return [("spec.replicas", _count(resource.get("spec", "replicas")), "both")]
    if resource.type == HPA:
        return [
            ("spec.minReplicas", _count(resource.get("spec", "minReplicas")), "min"),
            ("spec.maxReplicas", _count(resource.get("spec", "maxReplicas"), default=None), "max"),
        ]
    if resource.type == SERVICE and resource.get("mode", "global") is not True:
        return [("mode.replicated.replicas", _count(resource.get("mode", "replicated", "replicas")), "both")]
    return []


def check_bounds(resource: Resource, ctx: Context) -> Iterator[str]:
    if is_database(resource):
        return  # a single MySQL is the design; its storage is what rules protect
    low, high = ctx.config.get("min", 1), ctx.config.get("max", 10)
    for field, count, bound in _replica_fields(resource):
        if is_unknown(count):
            ctx.defer(count)
            continue
        if count is None:
            continue
        found = show(count) if resource.get(*field.split(".")) is not None else f"not set ({show(count)})"
        if bound in ("min", "both") and count < low:
            problem = f"below this stack's minimum of {show(low)}"
        elif bound in ("max", "both") and count > high:
            problem = f"above this stack's maximum of {show(high)}"
        else:
            continue
        yield (
            f"{resource.label}: {field} is {found}, {problem}. Fix: scale within "
            f"{show(low)}..{show(high)}, or change replicas-within-bounds min/max in the stack's policy config."
        )


BOUNDS_SCHEMA = PolicyConfigSchema(
    properties={
        "min": {"type": "integer", "minimum": 0, "default": 1, "description": "Fewest replicas a stateless workload may run."},
        "max": {"type": "integer", "minimum": 1, "default": 10, "description": "Most replicas a workload (or its autoscaler) may run."},
    }
)


# --- pdb-for-replicated-deployments (stack) ----------------------------------------------------------

def _autoscaled_max(workload: Resource, resources: list[Resource]) -> Optional[float]:
    name = workload.get("metadata", "name")
    kind = workload.type.rsplit(":", 1)[-1]
    for hpa in resources:
        if hpa.type != HPA or namespace(hpa) != namespace(workload) or name is None:
            continue
        target = hpa.get("spec", "scaleTargetRef", default={})
        if get(target, "kind") == kind and get(target, "name") == name:
            return number(hpa.get("spec", "maxReplicas"))
    return None


def check_disruption_budgets(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    budgets = [r for r in resources if r.type == PDB]
    for workload in resources:
        if workload.type not in (DEPLOYMENT, STATEFUL_SET):
            continue
        replicas = _count(workload.get("spec", "replicas"))
        if is_unknown(replicas):
            ctx.defer(replicas)
            continue
        autoscaled = _autoscaled_max(workload, resources)
        most = max(replicas, autoscaled or 0)
        if most <= 1:
            continue
        labels = pod(workload).labels
        selectors = [b.get("spec", "selector") for b in budgets if namespace(b) == namespace(workload)]
        verdicts = [selector_matches(selector, labels) for selector in selectors]
        if True in verdicts:
            continue
        if None in verdicts:  # a selector or the labels are not known yet
            ctx.defer(first_unknown([labels, *selectors]))
            continue
        runs = f"{show(replicas)} replicas (spec.replicas)" if autoscaled is None or autoscaled <= replicas else f"up to {show(autoscaled)} replicas (its HorizontalPodAutoscaler)"
        yield workload, (
            f"{workload.label}: runs {runs}, but no PodDisruptionBudget in namespace "
            f"{show(namespace(workload))} selects its pods ({show_labels(labels)}). Fix: declare a policy/v1 "
            "PodDisruptionBudget whose selector.matchLabels match spec.template.metadata.labels, with "
            "minAvailable 1 or maxUnavailable 1, so a node drain keeps replicas serving."
        )


def check_unset_replicas(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    """A workload that leaves spec.replicas unset must have an autoscaler to set it."""
    for workload in resources:
        if workload.type not in (DEPLOYMENT, STATEFUL_SET) or workload.get("spec", "replicas") is not None:
            continue
        if _autoscaled_max(workload, resources) is None:
            yield workload, (
                f"{workload.label}: spec.replicas is not set and no HorizontalPodAutoscaler in namespace "
                f"{show(namespace(workload))} targets it, so it runs 1 replica. Fix: set spec.replicas, or "
                "declare an autoscaler whose scaleTargetRef names it."
            )


POLICIES = [
    resource_rule(
        "replicas-within-bounds",
        "Replica counts (Deployments, StatefulSets, autoscalers, replicated Swarm services) stay "
        "within the bounds configured for the environment; the MySQL workload is exempt.",
        check_bounds,
        Severity.MEDIUM,
        BOUNDS_SCHEMA,
    ),
    stack_rule(
        "pdb-for-replicated-deployments",
        "Every Deployment or StatefulSet that can run more than one replica has a "
        "PodDisruptionBudget selecting its pods.",
        check_disruption_budgets,
        Severity.MEDIUM,
    ),
    stack_rule(
        "replicas-set-or-autoscaled",
        "A Deployment or StatefulSet leaves spec.replicas unset only when a HorizontalPodAutoscaler "
        "targets it (the autoscaler owns the count; its min and max are held to the bounds).",
        check_unset_replicas,
        Severity.MEDIUM,
    ),
]
