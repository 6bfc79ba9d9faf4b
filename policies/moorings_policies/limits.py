"""resource-limits: every Swarm task and Kubernetes container says what it needs and may use."""

from __future__ import annotations

from typing import Iterator

from pulumi_policy import Severity

from .core import Context, Resource, get, is_unknown, number, resource_rule
from .workloads import SERVICE, containers

_SWARM_FIELDS = (
    "limits.nanoCpus",
    "limits.memoryBytes",
    "reservation.nanoCpus",
    "reservation.memoryBytes",
)
_KUBERNETES_FIELDS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


def _missing(node, fields: tuple[str, ...], ctx: Context, positive_number: bool) -> list[str]:
    missing = []
    for field in fields:
        value = get(node, *field.split("."))
        if is_unknown(value):
            ctx.defer(value)
        elif value is None or value == "" or (positive_number and not (number(value) or 0) > 0):
            missing.append(field)
    return missing


def check(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type == SERVICE:
        missing = _missing(resource.get("taskSpec", "resources", default={}), _SWARM_FIELDS, ctx, True)
        if missing:
            yield (
                f"{resource.label}: taskSpec.resources has no {', '.join(missing)}. Fix: set "
                "limits and reservation, both nanoCpus (1e9 = one core) and memoryBytes, so the "
                "scheduler places the task where it fits and one task cannot starve a node."
            )
        return
    for container in containers(resource):
        if container.platform != "kubernetes" or container.init:
            continue
        missing = _missing(container.get("resources", default={}), _KUBERNETES_FIELDS, ctx, False)
        if missing:
            yield (
                f"{resource.label}: {container.field('resources')} has no {', '.join(missing)}. "
                "Fix: set requests (what the scheduler reserves) and limits (the ceiling) for "
                "both cpu and memory."
            )


POLICIES = [
    resource_rule(
        "resource-limits",
        "CPU and memory are bounded: reservations and limits on Swarm services, requests and "
        "limits on Kubernetes containers.",
        check,
        Severity.MEDIUM,
    )
]
