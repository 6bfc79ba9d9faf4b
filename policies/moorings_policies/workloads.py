"""The shapes rules look into, across the three platforms, under their wire (camelCase) names.

- platform docker: `docker:index/container:Container`, one container at the top of the props;
- platform swarm: `docker:index/service:Service`, its container at `taskSpec.containerSpec`;
- platform kubernetes: workloads whose pod spec sits at `spec` (Pod), `spec.template.spec`
  (Deployment, StatefulSet, ...) or `spec.jobTemplate.spec.template.spec` (CronJob).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from .core import Path, Resource, dotted, first_unknown, get, is_unknown, items, number

CONTAINER = "docker:index/container:Container"
SERVICE = "docker:index/service:Service"
DOCKER_VOLUME = "docker:index/volume:Volume"
REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage"
BUILT_IMAGE = "docker:index/image:Image"

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
K8S_SERVICE = "kubernetes:core/v1:Service"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"

_TEMPLATE = ("spec", "template", "spec")
POD_SPEC_PATHS: dict[str, Path] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:core/v1:ReplicationController": _TEMPLATE,
    DEPLOYMENT: _TEMPLATE,
    STATEFUL_SET: _TEMPLATE,
    "kubernetes:apps/v1:DaemonSet": _TEMPLATE,
    "kubernetes:apps/v1:ReplicaSet": _TEMPLATE,
    "kubernetes:batch/v1:Job": _TEMPLATE,
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
RUN_TO_COMPLETION = frozenset({"kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"})
SCALABLE = frozenset({DEPLOYMENT, STATEFUL_SET, "kubernetes:apps/v1:ReplicaSet"})

MYSQL_PORT = 3306
# Repositories of MySQL-protocol servers (the last path component: mysql, library/mysql,
# bitnami/mysql, mysql/mysql-server, mariadb, percona/percona-server...).
_DATABASE_REPOSITORY = re.compile(r"^(mysql|mysql-server|mariadb|percona|percona-server)$")
# Variables only the server images read: a container set up with them *is* the database,
# even when its image is referenced by id (a docker Container's image is RemoteImage.imageId).
# What the server images start with; another entrypoint makes the container a client.
_SERVER_ENTRYPOINTS = frozenset({"docker-entrypoint.sh", "mysqld", "mariadbd"})
_DATABASE_SERVER_ENV = re.compile(r"^(MYSQL|MARIADB)_(ROOT_PASSWORD|ALLOW_EMPTY(_ROOT)?_PASSWORD|RANDOM_ROOT_PASSWORD)(_FILE)?$")


@dataclass(frozen=True)
class Container:
    """One container of a resource, with the wire path that leads to it."""

    resource: Resource
    platform: str  # docker | swarm | kubernetes
    path: Path
    spec: Any  # the container object (or an Unknown)
    init: bool = False

    @property
    def name(self) -> str:
        own = get(self.spec, "name")
        return own if isinstance(own, str) else self.resource.name

    def field(self, *parts: Any) -> str:
        """The wire path of one of this container's fields, for messages."""
        text = dotted(self.path + parts)
        if self.platform == "kubernetes":
            text += f" (container '{self.name}')"
        return text

    def get(self, *path: Any, default: Any = None) -> Any:
        return get(self.spec, *path, default=default)


@dataclass(frozen=True)
class Pod:
    """The pod spec of a Kubernetes workload, its template labels and namespace."""

    resource: Resource
    path: Path
    spec: Any

    @property
    def labels(self) -> Any:
        if self.path == ("spec",):
            return self.resource.get("metadata", "labels", default={})
        return self.resource.get(*self.path[:-1], "metadata", "labels", default={})

    def field(self, *parts: Any) -> str:
        return dotted(self.path + parts)


def pod(resource: Resource) -> Optional[Pod]:
    path = POD_SPEC_PATHS.get(resource.type)
    if path is None:
        return None
    return Pod(resource, path, resource.get(*path, default={}))


def never_started(resource: Resource) -> bool:
    """A docker Container created with start: false runs nothing: a carrier of files for a volume
    (the docker builder's secrets), judged by no container rule."""
    return resource.type == CONTAINER and resource.get("start") is False


def containers(resource: Resource, include_init: bool = True) -> list[Container]:
    """Every container the resource runs (none for resources that run no container)."""
    if resource.type == CONTAINER:
        return [Container(resource, "docker", (), resource.props)]
    if resource.type == SERVICE:
        path = ("taskSpec", "containerSpec")
        return [Container(resource, "swarm", path, resource.get(*path, default={}))]
    spec = pod(resource)
    if spec is None:
        return []
    found = []
    kinds = ("containers", "initContainers") if include_init else ("containers",)
    for kind in kinds:
        for index, item in enumerate(items(get(spec.spec, kind))):
            found.append(Container(resource, "kubernetes", spec.path + (kind, index), item, init=kind == "initContainers"))
    return found


def namespace(resource: Resource) -> Any:
    """The namespace a Kubernetes object lands in: its own, else its provider's, else default."""
    return resource.get("metadata", "namespace") or get(resource.provider_props, "namespace") or "default"


# --- images -------------------------------------------------------------------------------

def image_repository(reference: str) -> str:
    """The repository part of an image reference: no registry port confusion, no tag, no digest."""
    name = reference.split("@", 1)[0]
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > last_slash else name


# --- environment --------------------------------------------------------------------------

@dataclass(frozen=True)
class EnvVar:
    field: str  # wire path, for messages
    name: Any  # str, or Unknown when a whole docker `envs` entry is computed
    value: Any  # the literal value: str, Unknown, or None when it comes from a reference
    source: str  # "literal" | "secretKeyRef" | "configMapKeyRef" | "fieldRef" | "resourceFieldRef"
    source_name: Any = None  # the Secret / ConfigMap it comes from


def env_vars(container: Container) -> Iterator[EnvVar]:
    """The container's environment variables, whatever the platform's shape."""
    if container.platform == "docker":
        for index, entry in enumerate(items(container.get("envs"))):
            field = container.field("envs", index)
            if is_unknown(entry):
                yield EnvVar(field, entry, entry, "literal")
            elif isinstance(entry, str):
                name, _, value = entry.partition("=")
                yield EnvVar(field, name, value, "literal")
    elif container.platform == "swarm":
        env = container.get("env", default={})
        if is_unknown(env):
            yield EnvVar(container.field("env"), env, env, "literal")
            return
        for name, value in env.items() if isinstance(env, dict) else ():
            yield EnvVar(container.field("env", name), name, value, "literal")
    else:
        for index, entry in enumerate(items(container.get("env"))):
            field = container.field("env", index)
            if is_unknown(entry):
                yield EnvVar(field, entry, entry, "literal")
                continue
            name = get(entry, "name")
            reference = get(entry, "valueFrom")
            if reference is None:
                yield EnvVar(field, name, get(entry, "value", default=""), "literal")
                continue
            source = next((k for k in ("secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef") if get(reference, k) is not None), "unknown")
            yield EnvVar(field, name, None, source, get(reference, source, "name"))


# --- is it the database? --------------------------------------------------------------------

def database_evidence(container: Container) -> Optional[str]:
    """Why the container is a MySQL-protocol server (None when it is not): its image
    repository, a variable only the server images read, or port 3306."""
    image = container.get("image")
    if isinstance(image, str) and not image.startswith("sha256:"):
        if _DATABASE_REPOSITORY.match(image_repository(image).rsplit("/", 1)[-1]):
            return f"image {image}"
    for var in env_vars(container):
        if isinstance(var.name, str) and _DATABASE_SERVER_ENV.match(var.name):
            return f"variable {var.name}"
    if MYSQL_PORT in container_ports(container):
        return f"port {MYSQL_PORT}"
    return None


def container_ports(container: Container) -> set[float]:
    """Ports the container listens on, as far as the resource declares them."""
    if container.platform == "docker":
        return {number(get(p, "internal")) for p in items(container.get("ports"))} - {None}
    if container.platform == "swarm":
        return {number(get(p, "targetPort")) for p in items(container.resource.get("endpointSpec", "ports"))} - {None}
    return {number(get(p, "containerPort")) for p in items(container.get("ports"))} - {None}


def runs_a_client(container: Container) -> bool:
    """A docker container or Swarm task whose entrypoint is replaced by something other than the
    server's (docker `entrypoints`, swarm `commands`, e.g. `sh -c <backup script>`): a client on
    MySQL's image, such as the stack's backups, not the server."""
    field = {"docker": "entrypoints", "swarm": "commands"}.get(container.platform)
    command = container.get(field) if field else None
    if is_unknown(command) or not items(command) or not isinstance(items(command)[0], str):
        return False
    return items(command)[0].rsplit("/", 1)[-1] not in _SERVER_ENTRYPOINTS


def is_database(resource: Resource) -> bool:
    """Whether the resource runs the database server. A Job or CronJob runs to completion: with
    MySQL's image it is a client of the server (a credential rotation, a backup), not the server;
    so is a container or service whose entrypoint is replaced by another program (a backup loop)."""
    if resource.type in RUN_TO_COMPLETION:
        return False
    return any(database_evidence(c) and not runs_a_client(c) for c in containers(resource, include_init=False))


# --- Kubernetes label selectors ---------------------------------------------------------------

def selector_matches(selector: Any, labels: Any) -> Optional[bool]:
    """Whether a LabelSelector selects pods with `labels`; None when either is unknown.
    An empty selector selects every pod; a null one selects none."""
    if selector is None:
        return False
    if is_unknown(selector) or is_unknown(labels):
        return None
    labels = labels or {}
    match_labels = get(selector, "matchLabels", default={})
    if first_unknown([match_labels, labels]) is not None:
        return None
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expression in items(get(selector, "matchExpressions")):
        if is_unknown(expression):
            return None
        key, operator = get(expression, "key"), get(expression, "operator")
        values = items(get(expression, "values"))
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def show_labels(labels: Any) -> str:
    if not isinstance(labels, dict) or not labels:
        return "no labels"
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))

