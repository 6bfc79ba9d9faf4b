"""stateful-storage-protected: what holds data survives `pulumi destroy` and replacements.

A stack rule, because a docker volume's purpose is only known from who mounts it:
  - the docker volumes a MySQL container or Swarm service mounts must be docker.Volume
    resources of the stack carrying `protect`; MySQL without any volume keeps its data in the
    container's writable layer, which the next replacement throws away;
  - every Kubernetes PersistentVolumeClaim carries `protect`; a StatefulSet's claim templates
    must not be deleted with the set or on scale-down; MySQL pods need persistent storage.
"""

from __future__ import annotations

from typing import Iterator

from pulumi_policy import Severity

from .core import Context, Resource, get, is_unknown, items, show, stack_rule
from .workloads import (
    CONTAINER,
    DOCKER_VOLUME,
    PVC,
    SERVICE,
    STATEFUL_SET,
    containers,
    database_evidence,
    is_database,
    pod,
)

def _protect_fix(setting: str) -> str:
    return f"Fix: declare it with ResourceOptions(protect=True) (the stack config's {setting})."


_PROTECT = _protect_fix("mysql.protect")


def _database_claims(resources: list[Resource]) -> set:
    """Names of the claims a MySQL workload mounts; Moorings' other claim is wp-content."""
    names = set()
    for resource in resources:
        spec = pod(resource)
        if spec is not None and is_database(resource):
            for volume in items(get(spec.spec, "volumes")):
                names.add(get(volume, "persistentVolumeClaim", "claimName"))
    return names


def _volume_mounts(resource: Resource) -> list[tuple[str, object, object]]:
    """(field, volume name, target) for each named volume a docker container or service mounts."""
    container = containers(resource)[0]
    mounts = []
    if resource.type == CONTAINER:
        for index, volume in enumerate(items(resource.get("volumes"))):
            if get(volume, "volumeName") is not None:
                mounts.append((f"volumes[{index}].volumeName", get(volume, "volumeName"), get(volume, "containerPath")))
    for index, mount in enumerate(items(container.get("mounts"))):
        if get(mount, "type") == "volume":
            mounts.append((container.field("mounts", index, "source"), get(mount, "source"), get(mount, "target")))
    return mounts


def _docker_storage(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    volumes = {}
    for volume in resources:
        if volume.type == DOCKER_VOLUME:
            volumes.setdefault(volume.get("name"), volume)
    for database in resources:
        if database.type not in (CONTAINER, SERVICE) or not is_database(database):
            continue
        mounts = _volume_mounts(database)
        if not mounts:
            yield database, (
                f"{database.label}: runs MySQL ({database_evidence(containers(database)[0])}) with no volume, so "
                "its data lives in the container's writable layer and the next replacement loses it. "
                "Fix: mount a protected docker.Volume at /var/lib/mysql."
            )
        for field, name, target in mounts:
            if is_unknown(name):
                ctx.defer(name)
            elif name not in volumes:
                yield database, (
                    f"{database.label}: {field} mounts volume {show(name)} at {show(target)}, which no "
                    "docker.Volume of this stack manages, so nothing protects it. Fix: declare it as a "
                    "docker.Volume with ResourceOptions(protect=True) and mount it by that name."
                )
            elif not volumes[name].protect:
                yield volumes[name], (
                    f"{volumes[name].label}: holds MySQL's data ({database.label} mounts it at {show(target)}) "
                    f"but is not protected, so `pulumi destroy` or a replacement deletes it. {_PROTECT}"
                )


def _kubernetes_storage(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    database_claims = _database_claims(resources)
    for resource in resources:
        if resource.type == PVC and not resource.protect:
            setting = "mysql.protect" if resource.get("metadata", "name") in database_claims else "wordpress.protect"
            yield resource, (
                f"{resource.label}: is not protected, so `pulumi destroy` or a replacement deletes the "
                f"claim and, with the usual Delete reclaim policy, its data. {_protect_fix(setting)}"
            )
        if resource.type == STATEFUL_SET and items(resource.get("spec", "volumeClaimTemplates")):
            for when in ("whenDeleted", "whenScaled"):
                value = resource.get("spec", "persistentVolumeClaimRetentionPolicy", when)
                if is_unknown(value):
                    ctx.defer(value)
                elif value == "Delete":
                    yield resource, (
                        f"{resource.label}: spec.persistentVolumeClaimRetentionPolicy.{when} is \"Delete\", "
                        "so the claims made from volumeClaimTemplates go with the pods. Fix: set it to "
                        "\"Retain\" (the default)."
                    )
        spec = pod(resource)
        if spec is None or not is_database(resource):
            continue
        claims = [v for v in items(get(spec.spec, "volumes")) if get(v, "persistentVolumeClaim") is not None]
        if not claims and not items(resource.get("spec", "volumeClaimTemplates")):
            yield resource, (
                f"{resource.label}: runs MySQL without a PersistentVolumeClaim ({spec.field('volumes')} has "
                "none and there are no volumeClaimTemplates), so its data dies with the pod. Fix: mount a "
                "protected PersistentVolumeClaim at /var/lib/mysql, or use a StatefulSet volumeClaimTemplate."
            )


def check(resources: list[Resource], ctx: Context) -> Iterator[tuple[Resource, str]]:
    yield from _docker_storage(resources, ctx)
    yield from _kubernetes_storage(resources, ctx)


POLICIES = [
    stack_rule(
        "stateful-storage-protected",
        "Stateful storage is protected: the MySQL docker volume and every Kubernetes "
        "PersistentVolumeClaim carry `protect`, and MySQL never keeps its data in the container.",
        check,
        Severity.HIGH,
    )
]
