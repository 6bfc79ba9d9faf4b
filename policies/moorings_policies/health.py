"""health-checked: the platform can tell a live, ready container from a broken one."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from .core import Context, Resource, get, is_unknown, items, resource_rule
from .workloads import RUN_TO_COMPLETION, containers, never_started

_HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


def _healthcheck_problem(healthcheck: Any, ctx: Context) -> Optional[str]:
    tests = get(healthcheck, "tests")
    if is_unknown(tests):
        ctx.defer(tests)
        return None
    tests = items(tests)
    if not tests:
        return "is not set"
    if tests[0] == "NONE":
        return "disables the image's check (tests = [\"NONE\"])"
    return None


def _probe_problem(probe: Any, ctx: Context) -> Optional[str]:
    if is_unknown(probe):
        ctx.defer(probe)
        return None
    if probe is None:
        return "is not set"
    if not any(get(probe, handler) is not None for handler in _HANDLERS):
        return "has no handler (httpGet, tcpSocket, exec or grpc)"
    return None


def check(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type in RUN_TO_COMPLETION:
        return  # jobs run to completion: probes do not apply
    if never_started(resource):
        return  # nothing runs to probe
    for container in containers(resource, include_init=False):
        if container.platform in ("docker", "swarm"):
            problem = _healthcheck_problem(container.get("healthcheck"), ctx)
            if problem:
                yield (
                    f"{resource.label}: {container.field('healthcheck')} {problem}. Fix: set a healthcheck "
                    "whose tests exit 0 only when the service answers (e.g. [\"CMD\", \"mysqladmin\", "
                    "\"ping\", \"-h\", \"127.0.0.1\"]), with interval, timeout and retries."
                )
            continue
        for probe, purpose in (
            ("readinessProbe", "Services send traffic only to ready pods"),
            ("livenessProbe", "the kubelet restarts a container that stops answering"),
        ):
            problem = _probe_problem(container.get(probe), ctx)
            if problem:
                yield (
                    f"{resource.label}: {container.field(probe)} {problem}. Fix: add a {probe} "
                    f"(httpGet, tcpSocket or exec) so that {purpose}."
                )


POLICIES = [
    resource_rule(
        "health-checked",
        "Containers are health-checked: a healthcheck on docker containers and Swarm services, "
        "readiness and liveness probes on Kubernetes containers.",
        check,
        Severity.MEDIUM,
    )
]
