"""swarm-odd-managers: a Swarm cluster keeps Raft quorum.

The contract with the cluster component: `moorings:index:SwarmCluster` passes its manager
hosts to the engine as the resource input `managers` (a list, one entry per manager; a count
is accepted too), i.e. `super().__init__("moorings:index:SwarmCluster", name, {"managers":
[...], ...}, opts)`. Policies see a component's inputs, not its registered outputs.
"""

from __future__ import annotations

from typing import Iterator

from pulumi_policy import Severity

from .core import Context, Resource, is_unknown, number, resource_rule, show

SWARM_CLUSTER = "moorings:index:SwarmCluster"


def check(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type != SWARM_CLUSTER:
        return
    managers = resource.get("managers")
    if is_unknown(managers):
        ctx.defer(managers)
        return
    if isinstance(managers, list):
        count, found = len(managers), f"lists {len(managers)} manager(s)"
    elif number(managers) is not None:
        count, found = int(managers), f"is {show(managers)}"
    else:
        yield (
            f"{resource.label}: has no `managers` input, so its manager count cannot be checked. Fix: "
            "pass the manager hosts to the component's resource inputs, e.g. "
            "super().__init__(\"moorings:index:SwarmCluster\", name, {\"managers\": [...]}, opts)."
        )
        return
    if count == 0:
        yield (
            f"{resource.label}: managers {found}: a swarm needs at least one. Fix: run an odd "
            "number of managers (1 for development, 3 survive 1 failure, 5 survive 2)."
        )
    elif count % 2 == 0:
        yield (
            f"{resource.label}: managers {found}, an even number. Raft needs a majority: "
            f"{count} managers survive no more failures than {count - 1}. Fix: run an odd number of "
            "managers (1 for development, 3 survive 1 failure, 5 survive 2); make the others workers."
        )


POLICIES = [
    resource_rule(
        "swarm-odd-managers",
        "A Swarm cluster runs an odd number of managers, so Raft keeps a quorum.",
        check,
        Severity.HIGH,
    )
]
