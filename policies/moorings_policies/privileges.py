"""What a container may do to its host: no privileged mode, no privilege escalation, no host
namespaces, no host paths (never the Docker socket), no added capabilities.

Field by platform (wire names):
  docker Container   privileged, securityOpts, networkMode/pidMode/ipcMode, volumes[].hostPath,
                     mounts[] of type bind, capabilities.adds
  Swarm service      taskSpec.networksAdvanceds[].name == host, containerSpec.mounts[] of type
                     bind, containerSpec.capAdds (Swarm has no privileged mode and no
                     no-new-privileges setting, so those two rules do not apply to it)
  Kubernetes         containers[].securityContext.{privileged, allowPrivilegeEscalation,
                     capabilities.add}, pod hostNetwork/hostPID/hostIPC, volumes[].hostPath
"""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import PolicyConfigSchema, Severity

from .core import Context, Resource, get, is_unknown, items, resource_rule, show
from .workloads import CONTAINER, SERVICE, containers, never_started, pod

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def _known(value: Any, ctx: Context) -> Any:
    """The value, or None after deferring it when it is unknown."""
    if is_unknown(value):
        ctx.defer(value)
        return None
    return value


# --- no-privileged ----------------------------------------------------------------------------

def check_privileged(resource: Resource, ctx: Context) -> Iterator[str]:
    for container in containers(resource):
        if container.platform == "swarm":
            continue
        path = ("privileged",) if container.platform == "docker" else ("securityContext", "privileged")
        if _known(container.get(*path), ctx) is True:
            yield (
                f"{resource.label}: {container.field(*path)} is true: the container gets every "
                "capability and every host device, which is root on the host. Fix: remove it and "
                "add only the capability the process needs, if any."
            )


# --- no-privilege-escalation --------------------------------------------------------------------

def _sets_no_new_privileges(option: Any) -> bool:
    return str(option).replace("=", ":") in ("no-new-privileges", "no-new-privileges:true")


def check_escalation(resource: Resource, ctx: Context) -> Iterator[str]:
    for container in containers(resource):
        if container.platform == "docker":
            if never_started(resource):
                continue  # runs no process that could gain a privilege
            options = items(_known(container.get("securityOpts"), ctx))
            if any(_sets_no_new_privileges(o) for o in options) or is_unknown(container.get("securityOpts")):
                continue
            pending = [o for o in options if is_unknown(o)]
            if pending:
                ctx.defer(pending[0])
                continue
            yield (
                f"{resource.label}: securityOpts has no no-new-privileges, so a setuid binary in "
                "the image can gain privileges. Fix: add \"no-new-privileges:true\" to securityOpts."
            )
        elif container.platform == "kubernetes":
            field = ("securityContext", "allowPrivilegeEscalation")
            value = container.get(*field)
            if is_unknown(value):
                ctx.defer(value)
            elif value is not False:
                found = "true" if value is True else "not set (Kubernetes then allows it)"
                yield (
                    f"{resource.label}: {container.field(*field)} is {found}. Fix: set "
                    "securityContext.allowPrivilegeEscalation to false."
                )


# --- no-host-namespaces ----------------------------------------------------------------------------

def check_host_namespaces(resource: Resource, ctx: Context) -> Iterator[str]:
    fix = "Fix: remove it; publish ports or use a network instead of sharing the host's."
    if resource.type == SERVICE:
        for index, network in enumerate(items(resource.get("taskSpec", "networksAdvanceds"))):
            if _known(get(network, "name"), ctx) == "host":
                yield f"{resource.label}: taskSpec.networksAdvanceds[{index}].name is \"host\": the tasks share the node's network stack. {fix}"
        return
    if resource.type == CONTAINER:
        for field, namespace in (("networkMode", "network"), ("pidMode", "PID"), ("ipcMode", "IPC")):
            if _known(resource.get(field), ctx) == "host":
                yield f"{resource.label}: {field} is \"host\": the container shares the host's {namespace} namespace. {fix}"
    spec = pod(resource)
    if spec is not None:
        for field, namespace in (("hostNetwork", "network"), ("hostPID", "PID"), ("hostIPC", "IPC")):
            if _known(get(spec.spec, field), ctx) is True:
                yield f"{resource.label}: {spec.field(field)} is true: the pods share the node's {namespace} namespace. {fix}"


# --- no-host-paths ------------------------------------------------------------------------------------

def _host_path_message(resource: Resource, field: str, path: Any) -> str:
    if isinstance(path, str) and path.rstrip("/") in DOCKER_SOCKETS:
        return (
            f"{resource.label}: {field} mounts the Docker socket ({path}): whoever controls the "
            "container controls the Docker Engine, which is root on the host. Fix: remove the mount; "
            "never hand the socket to a workload."
        )
    return (
        f"{resource.label}: {field} mounts the host path {show(path)}: the container reads or writes "
        "the node's files and is tied to that node. Fix: use a named volume (docker, Swarm) or a "
        "PersistentVolumeClaim (Kubernetes)."
    )


def check_host_paths(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type == CONTAINER:
        for index, volume in enumerate(items(resource.get("volumes"))):
            path = _known(get(volume, "hostPath"), ctx)
            if path:
                yield _host_path_message(resource, f"volumes[{index}].hostPath", path)
    if resource.type in (CONTAINER, SERVICE):
        container = containers(resource)[0]
        for index, mount in enumerate(items(container.get("mounts"))):
            if _known(get(mount, "type"), ctx) == "bind":
                yield _host_path_message(resource, container.field("mounts", index, "source"), get(mount, "source"))
    spec = pod(resource)
    if spec is not None:
        for index, volume in enumerate(items(get(spec.spec, "volumes"))):
            host_path = _known(get(volume, "hostPath"), ctx)
            if host_path is not None:
                yield _host_path_message(resource, spec.field("volumes", index, "hostPath"), get(host_path, "path"))


# --- no-added-capabilities --------------------------------------------------------------------------

def _capability(name: Any) -> str:
    text = str(name).upper()
    return text[4:] if text.startswith("CAP_") else text


def check_capabilities(resource: Resource, ctx: Context) -> Iterator[str]:
    allowed = {_capability(c) for c in ctx.config.get("allowed", [])}
    for container in containers(resource):
        path = {
            "docker": ("capabilities", "adds"),
            "swarm": ("capAdds",),
            "kubernetes": ("securityContext", "capabilities", "add"),
        }[container.platform]
        added = [c for c in items(_known(container.get(*path), ctx)) if not is_unknown(c)]
        extra = sorted({_capability(c) for c in added} - allowed)
        if extra:
            yield (
                f"{resource.label}: {container.field(*path)} adds {', '.join(extra)}. Fix: remove "
                "them; if the process truly needs one, allow it in this stack's policy config "
                "(no-added-capabilities.allowed) and say why."
            )


CAPABILITIES_SCHEMA = PolicyConfigSchema(
    properties={
        "allowed": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Capabilities a container may add in this stack (e.g. NET_BIND_SERVICE).",
        }
    }
)

POLICIES = [
    resource_rule(
        "no-privileged",
        "No container runs privileged (docker Container privileged, Kubernetes securityContext.privileged).",
        check_privileged,
        Severity.CRITICAL,
    ),
    resource_rule(
        "no-privilege-escalation",
        "No container can gain privileges: docker containers set no-new-privileges, Kubernetes "
        "containers set allowPrivilegeEscalation to false.",
        check_escalation,
        Severity.HIGH,
    ),
    resource_rule(
        "no-host-namespaces",
        "No container shares the host's network, PID or IPC namespace.",
        check_host_namespaces,
        Severity.HIGH,
    ),
    resource_rule(
        "no-host-paths",
        "No container mounts a host path (bind mount, hostPath volume), and never the Docker socket.",
        check_host_paths,
        Severity.CRITICAL,
    ),
    resource_rule(
        "no-added-capabilities",
        "No container adds Linux capabilities beyond those this stack's policy config allows.",
        check_capabilities,
        Severity.HIGH,
        CAPABILITIES_SCHEMA,
    ),
]
