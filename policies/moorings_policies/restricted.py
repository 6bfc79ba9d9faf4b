"""The restricted profile on Kubernetes, including what a workload gets wrong by omission:

- restricted-profile: each container runs as non-root (runAsNonRoot true, in the container's
  or the pod's securityContext, and no runAsUser 0), drops ALL capabilities, has a read-only
  root filesystem and a RuntimeDefault (or Localhost) seccomp profile. A workload that leaves
  any of these unset gets the permissive default: root, the runtime's default capabilities
  (NET_RAW included), a writable image, no syscall filter. A stack may exempt a workload by
  name in its policy config (`exempt: {name: why}`); the reason is required.
- pdb-evicts-unhealthy: a PodDisruptionBudget sets unhealthyPodEvictionPolicy AlwaysAllow, or a
  crash-looping pod blocks every node drain (the default, IfHealthyBudget, counts it as down).
- workload-network-policy (stack): every workload's pods are selected by a NetworkPolicy that
  restricts ingress, not only the database's.

  A docker Container (platform docker) is judged on what Docker can confine: a read-only root
  filesystem, capabilities dropped (ALL) and its seccomp profile left on. Not on its user: the
  official images start as root there and step down themselves (docs/operators/hardening.md, Docker).
  A Swarm service is judged on what a service spec can say: a read-only root filesystem,
  capabilities dropped (ALL), and no user set to root explicitly.

Field by platform (wire names): Kubernetes spec.template.spec.securityContext {runAsNonRoot,
runAsUser, seccompProfile} and containers[].securityContext {runAsNonRoot, runAsUser,
capabilities.drop, readOnlyRootFilesystem, seccompProfile}; docker Container readOnly,
capabilities.drops, securityOpts (seccomp=unconfined); Swarm Service
taskSpec.containerSpec {readOnly, capDrops, user}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

from pulumi_policy import PolicyConfigSchema, Severity

from .core import Context, Resource, first_unknown, get, is_unknown, items, resource_rule, show, stack_rule
from .workloads import CONTAINER, NETWORK_POLICY, PDB, SERVICE, containers, namespace, never_started, pod, selector_matches, show_labels

SECCOMP_CONFINED = ("RuntimeDefault", "Localhost")


def _effective(container_value: Any, pod_value: Any) -> Any:
    """A container's own setting wins over the pod's."""
    return pod_value if container_value is None else container_value


def _shown(value: Any) -> str:
    return "not set" if value is None else show(value)


def _seccomp_unconfined(option: Any) -> bool:
    return str(option).replace(":", "=").replace(" ", "") == "seccomp=unconfined"


@dataclass(frozen=True)
class _DockerFields:
    """Where a docker Container or a Swarm Service says how it is confined, and how to say it."""

    read_only: tuple[str, ...]
    drops: tuple[str, ...]
    seccomp_options: Optional[tuple[str, ...]]
    user: Optional[tuple[str, ...]]
    keeps: str
    """Who keeps the default capabilities: the container, the tasks."""
    scratch: str
    add_back: str


CONTAINER_FIELDS = _DockerFields(
    ("readOnly",), ("capabilities", "drops"), ("securityOpts",), None,
    "the container keeps", "a tmpfs (or a volume)", "add back",
)
SERVICE_FIELDS = _DockerFields(
    ("taskSpec", "containerSpec", "readOnly"), ("taskSpec", "containerSpec", "capDrops"), None,
    ("taskSpec", "containerSpec", "user"), "the tasks keep", "a tmpfs mount", "add back (capAdds)",
)


def check_docker_confinement(resource: Resource, ctx: Context, fields: _DockerFields) -> Iterator[str]:
    read_only, drops = resource.get(*fields.read_only), resource.get(*fields.drops)
    options = resource.get(*fields.seccomp_options) if fields.seccomp_options else None
    user = resource.get(*fields.user) if fields.user else None
    pending = first_unknown([read_only, drops, options, user] + items(drops) + items(options))
    if pending is not None:
        ctx.defer(pending)
        return
    if read_only is not True:
        found = "false" if read_only is False else "not set (writable)"
        yield (
            f"{resource.label}: {'.'.join(fields.read_only)} is {found}: a compromised process can change the "
            f"image's files. Fix: set read_only=True, with {fields.scratch} only where the image must write."
        )
    if "ALL" not in [str(c).upper() for c in items(drops)]:
        yield (
            f"{resource.label}: {'.'.join(fields.drops)} is {_shown(drops)}, not [ALL]: {fields.keeps} "
            "Docker's default capabilities (NET_RAW, MKNOD, SETFCAP among them). Fix: drop ALL and "
            f"{fields.add_back} only a named capability the entrypoint needs."
        )
    if any(_seccomp_unconfined(o) for o in items(options)):
        yield (
            f"{resource.label}: securityOpts turns seccomp off (seccomp=unconfined): no syscall filter. "
            "Fix: remove it; Docker's default profile then applies."
        )
    if user is not None and str(user).split(":")[0] in ("0", "root"):
        yield (
            f"{resource.label}: {'.'.join(fields.user)} is {show(user)}: the tasks run as root. Fix: run "
            "as the image's non-root user, or leave user unset for an image that steps down itself."
        )


def check_restricted(resource: Resource, ctx: Context) -> Iterator[str]:
    exempt = ctx.config.get("exempt", {}) or {}
    if resource.name in exempt:
        return
    if resource.type == CONTAINER:
        if not never_started(resource):
            yield from check_docker_confinement(resource, ctx, CONTAINER_FIELDS)
        return
    if resource.type == SERVICE:
        yield from check_docker_confinement(resource, ctx, SERVICE_FIELDS)
        return
    spec = pod(resource)
    if spec is None:
        return
    pod_context = get(spec.spec, "securityContext", default={})
    for container in containers(resource):
        own = container.get("securityContext", default={})
        if is_unknown(own) or is_unknown(pod_context):
            ctx.defer(own if is_unknown(own) else pod_context)
            continue
        values = {
            "runAsNonRoot": _effective(get(own, "runAsNonRoot"), get(pod_context, "runAsNonRoot")),
            "runAsUser": _effective(get(own, "runAsUser"), get(pod_context, "runAsUser")),
            "drop": get(own, "capabilities", "drop"),
            "readOnlyRootFilesystem": get(own, "readOnlyRootFilesystem"),
            "seccomp": _effective(get(own, "seccompProfile", "type"), get(pod_context, "seccompProfile", "type")),
        }
        pending = first_unknown(list(values.values()))
        if pending is not None:
            ctx.defer(pending)
            continue
        where = f"{resource.label}: container '{container.name}'"
        if values["runAsNonRoot"] is not True:
            found = "false" if values["runAsNonRoot"] is False else "not set (the image's USER decides, root for most images)"
            yield (
                f"{where}: securityContext.runAsNonRoot is {found}. Fix: set runAsNonRoot: true in the "
                "pod's securityContext, and runAsUser to the image's non-root user."
            )
        elif values["runAsUser"] == 0:
            yield f"{where}: securityContext.runAsUser is 0 (root). Fix: run as the image's non-root user."
        if "ALL" not in [str(c).upper() for c in items(values["drop"])]:
            yield (
                f"{where}: securityContext.capabilities.drop is {_shown(values['drop'])}, not [ALL]: the "
                "container keeps the runtime's default capabilities (NET_RAW among them). Fix: drop ALL "
                "and add back only a named capability the process needs."
            )
        if values["readOnlyRootFilesystem"] is not True:
            found = "false" if values["readOnlyRootFilesystem"] is False else "not set (writable)"
            yield (
                f"{where}: securityContext.readOnlyRootFilesystem is {found}: a compromised process can "
                "change the image's files. Fix: set it to true and mount an emptyDir where the image must write."
            )
        if values["seccomp"] not in SECCOMP_CONFINED:
            yield (
                f"{where}: seccompProfile.type is {_shown(values['seccomp'])}: no syscall filter. Fix: set "
                "securityContext.seccompProfile.type to RuntimeDefault in the pod."
            )


def check_pdb(resource: Resource, ctx: Context) -> Iterator[str]:
    if resource.type != PDB:
        return
    value = resource.get("spec", "unhealthyPodEvictionPolicy")
    if is_unknown(value):
        ctx.defer(value)
    elif value != "AlwaysAllow":
        found = show(value) if value is not None else "not set (IfHealthyBudget)"
        yield (
            f"{resource.label}: spec.unhealthyPodEvictionPolicy is {found}: a running pod that never gets "
            "ready counts against the budget, so a crash-looping pod blocks every node drain. Fix: set "
            "spec.unhealthyPodEvictionPolicy to AlwaysAllow."
        )


def _restricts_ingress(policy: Resource) -> bool:
    types = policy.get("spec", "policyTypes")
    return types is None or "Ingress" in items(types)


def check_network_policies(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    exempt = ctx.config.get("exempt", {}) or {}
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    for workload in resources:
        spec = pod(workload)
        if spec is None or workload.name in exempt:
            continue
        labels = spec.labels
        covered = False
        for policy in policies:
            if namespace(policy) != namespace(workload) or not _restricts_ingress(policy):
                continue
            verdict = selector_matches(policy.get("spec", "podSelector"), labels)
            if verdict is None:
                ctx.defer(first_unknown([labels, policy.get("spec", "podSelector")]))
                covered = True
            elif verdict:
                covered = True
        if not covered:
            yield workload, (
                f"{workload.label}: no NetworkPolicy in namespace {show(namespace(workload))} restricts "
                f"ingress to its pods (labelled {show_labels(labels)}), so any pod in the cluster can "
                "connect to them. Fix: declare a NetworkPolicy whose podSelector matches these labels, "
                "admitting only the clients and ports the workload serves (kubernetes.networkPolicy)."
            )


EXEMPT_SCHEMA = PolicyConfigSchema(
    properties={
        "exempt": {
            "type": "object",
            "additionalProperties": {"type": "string", "minLength": 1},
            "default": {},
            "description": "Workloads (by resource name) this stack exempts, each with the reason.",
        }
    }
)

POLICIES = [
    resource_rule(
        "restricted-profile",
        "Containers meet the restricted profile: on Kubernetes runAsNonRoot, capabilities dropped (ALL), "
        "a read-only root filesystem and a RuntimeDefault seccomp profile, set explicitly; docker "
        "containers a read-only root filesystem, capabilities dropped (ALL) and seccomp left on; Swarm "
        "services a read-only root filesystem, capabilities dropped (ALL) and no root user.",
        check_restricted,
        Severity.HIGH,
        EXEMPT_SCHEMA,
    ),
    resource_rule(
        "pdb-evicts-unhealthy",
        "PodDisruptionBudgets let a node drain evict unhealthy pods (unhealthyPodEvictionPolicy: AlwaysAllow).",
        check_pdb,
        Severity.MEDIUM,
    ),
    stack_rule(
        "workload-network-policy",
        "Every Kubernetes workload's pods are selected by a NetworkPolicy that restricts ingress.",
        check_network_policies,
        Severity.MEDIUM,
        EXEMPT_SCHEMA,
    ),
]
