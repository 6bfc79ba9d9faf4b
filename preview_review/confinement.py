"""Confinement a change gives up: what a workload may do after the change that it could not do
before (or, for a new one, at all). A relaxed service must say why in its own settings
(`services.<name>.security.why`); the review puts the relaxation itself in front of the reviewer,
so that it is never accepted by scrolling past a diff.

Read from the inputs, old and new:
- Kubernetes workloads: each container's securityContext (and the pod's for runAsNonRoot and
  runAsUser): privileged, allowPrivilegeEscalation not false, readOnlyRootFilesystem not true,
  capabilities.add, runAsNonRoot not true, runAsUser 0;
- Swarm services: taskSpec.containerSpec readOnly not true, capAdds, user root;
- docker containers: readOnly not true, capabilities.adds, privileged.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from preview_review.model import UNKNOWN, Change
from preview_review.values import MISSING, lookup

POD_WORKLOADS = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
}
SERVICE = "docker:index/service:Service"
CONTAINER = "docker:index/container:Container"


def relaxations(change: Change) -> list[str]:
    """What the change newly allows, in the order found; nothing for a deletion."""
    if change.op in ("delete", "same", "read", "refresh"):
        return []
    after = list(_facts(change.type, change.new_inputs))
    before = set() if change.op == "create" else set(_facts(change.type, change.old_inputs))
    return [fact for fact in after if fact not in before]


def _facts(type_: str, inputs: Optional[dict[str, Any]]) -> Iterator[str]:
    if not inputs:
        return
    if type_ in POD_WORKLOADS:
        yield from _pod_facts(inputs)
    elif type_ == SERVICE:
        yield from _docker_facts(lookup(inputs, "taskSpec.containerSpec"), "readOnly", "capAdds", user="user")
    elif type_ == CONTAINER:
        yield from _docker_facts(inputs, "readOnly", "capabilities.adds", privileged="privileged")


def _pod_facts(inputs: dict[str, Any]) -> Iterator[str]:
    pod = _known(lookup(inputs, "spec.template.spec"))
    if not isinstance(pod, dict):
        return
    pod_context = _known(pod.get("securityContext")) or {}
    for container in (pod.get("initContainers") or []) + (pod.get("containers") or []):
        if not isinstance(container, dict):
            continue
        own = _known(container.get("securityContext")) or {}
        where = f" (container '{container.get('name', '?')}')"
        if _value(own, "privileged") is True:
            yield "privileged" + where
        if _value(own, "allowPrivilegeEscalation") not in (False, UNKNOWN):  # unset: allowed
            yield "privilege escalation allowed" + where
        if _value(own, "readOnlyRootFilesystem") not in (True, UNKNOWN):
            yield "writable root filesystem" + where
        for capability in _list(_value(own, "capabilities", "add")):
            yield f"adds capability {capability}" + where
        non_root = _effective(_value(own, "runAsNonRoot"), _value(pod_context, "runAsNonRoot"))
        user = _effective(_value(own, "runAsUser"), _value(pod_context, "runAsUser"))
        if user == 0:
            yield "runs as root" + where
        elif non_root not in (True, UNKNOWN):
            yield "may run as root (runAsNonRoot not true)" + where


def _docker_facts(spec: Any, read_only: str, adds: str, user: str = "", privileged: str = "") -> Iterator[str]:
    if not isinstance(spec, dict):
        return
    if _value(spec, *read_only.split(".")) not in (True, UNKNOWN):
        yield "writable root filesystem"
    for capability in _list(_value(spec, *adds.split("."))):
        yield f"adds capability {capability}"
    if user and str(_value(spec, user)).split(":")[0] in ("0", "root"):
        yield "runs as root"
    if privileged and _value(spec, privileged) is True:
        yield "privileged"


def _value(mapping: Any, *path: str) -> Any:
    value = lookup(mapping, ".".join(path)) if isinstance(mapping, dict) else MISSING
    return None if value is MISSING else value


def _effective(own: Any, pod: Any) -> Any:
    return pod if own is None else own


def _known(value: Any) -> Any:
    return None if value == UNKNOWN else value


def _list(value: Any) -> list[str]:
    return [str(item) for item in value if item != UNKNOWN] if isinstance(value, list) else []
