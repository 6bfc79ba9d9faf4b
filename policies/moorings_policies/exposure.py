"""What is reachable from outside: MySQL never is; nothing of dev listens beyond 127.0.0.1."""

from __future__ import annotations

import re
from typing import Any, Iterator

from pulumi_policy import Severity

from .core import Context, Resource, get, is_unknown, items, number, resource_rule, show
from .workloads import CONTAINER, K8S_SERVICE, MYSQL_PORT, containers, database_evidence

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_DATABASE_LABEL = re.compile(r"mysql|mariadb", re.IGNORECASE)


def _service_fronts_database(resource: Resource) -> Any:
    """Why a Kubernetes Service is MySQL's: a port or targetPort 3306 (or named mysql), or a
    selector label value naming mysql/mariadb. None when nothing says so."""
    for port in items(resource.get("spec", "ports")):
        for field in ("port", "targetPort"):
            value = get(port, field)
            if number(value) == MYSQL_PORT or value == "mysql":
                return f"{field} {show(value)}"
    selector = resource.get("spec", "selector", default={})
    if isinstance(selector, dict):
        for key, value in sorted(selector.items()):
            if isinstance(value, str) and _DATABASE_LABEL.search(value):
                return f"selector {key}={value}"
    return None


def check_database(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type == K8S_SERVICE:
        evidence = _service_fronts_database(resource)
        if evidence is None:
            return
        kind = resource.get("spec", "type", default="ClusterIP")
        if is_unknown(kind):
            ctx.defer(kind)
        elif kind not in ("ClusterIP", "ExternalName"):
            yield (
                f"{resource.label}: spec.type is {show(kind)} for a Service that fronts MySQL ({evidence}), "
                "so MySQL is reachable from outside the cluster. Fix: use type ClusterIP (the default); "
                "WordPress reaches MySQL inside the cluster."
            )
        if [ip for ip in items(resource.get("spec", "externalIPs")) if not is_unknown(ip)]:
            yield (
                f"{resource.label}: spec.externalIPs is set on a Service that fronts MySQL ({evidence}). "
                "Fix: remove externalIPs."
            )
        return
    for container in containers(resource, include_init=False):
        evidence = database_evidence(container)
        if evidence is None:
            continue
        what = f"MySQL (recognised by its {evidence})"
        if container.platform == "docker":
            for index, port in enumerate(items(resource.get("ports"))):
                if is_unknown(port):
                    ctx.defer(port)
                    continue
                yield (
                    f"{resource.label}: ports[{index}] publishes {what} on host port "
                    f"{show(get(port, 'external', default='(random)'))}. Fix: remove the port; "
                    "WordPress reaches MySQL over the stack's private network."
                )
            if resource.get("publishAllPorts") is True:
                yield f"{resource.label}: publishAllPorts is true on {what}. Fix: remove publishAllPorts."
        elif container.platform == "swarm":
            for index, port in enumerate(items(resource.get("endpointSpec", "ports"))):
                published = get(port, "publishedPort")
                yield (
                    f"{resource.label}: endpointSpec.ports[{index}] publishes {what} on "
                    f"{'port ' + show(published) if published is not None else 'a random port'} of every node. "
                    "Fix: remove the port; services reach MySQL over an overlay network."
                )
        else:
            for index, port in enumerate(items(container.get("ports"))):
                if get(port, "hostPort") is not None:
                    yield (
                        f"{resource.label}: {container.field('ports', index, 'hostPort')} is "
                        f"{show(get(port, 'hostPort'))}: {what} listens on the node's address. Fix: remove "
                        "hostPort; reach MySQL through a ClusterIP Service."
                    )


def check_loopback(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type != CONTAINER:
        return
    for index, port in enumerate(items(resource.get("ports"))):
        ip = get(port, "ip")
        if is_unknown(ip) or is_unknown(port):
            ctx.defer(port if is_unknown(port) else ip)
        elif ip not in LOOPBACK:
            found = show(ip) if ip else "not set (Docker then binds 0.0.0.0)"
            yield (
                f"{resource.label}: ports[{index}].ip is {found}, so host port "
                f"{show(get(port, 'external', default='(random)'))} is reachable from the network. "
                "Fix: set ip to \"127.0.0.1\"."
            )
    if resource.get("publishAllPorts") is True:
        yield (
            f"{resource.label}: publishAllPorts is true: every exposed port is published on 0.0.0.0. "
            "Fix: remove it and publish the ports you need with ip \"127.0.0.1\"."
        )


POLICIES = [
    resource_rule(
        "mysql-not-exposed",
        "MySQL is never exposed: no published port on docker or Swarm, no hostPort and only a "
        "ClusterIP Service on Kubernetes. MySQL is recognised by image (mysql, mariadb), by the "
        "server's own variables (MYSQL_ROOT_PASSWORD[_FILE], ...) or by port 3306.",
        check_database,
        Severity.CRITICAL,
    ),
    resource_rule(
        "ports-loopback-only",
        "Ports a docker container publishes on the local engine bind to 127.0.0.1: nothing of dev listens on 0.0.0.0.",
        check_loopback,
        Severity.HIGH,
    ),
]
