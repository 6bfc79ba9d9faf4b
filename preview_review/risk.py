"""Risky changes: replacements (with the properties that force them), deletions, any change
to stateful storage or a protected resource, which rank first, and any workload whose
confinement the change relaxes (confinement.py).

Stateful storage is a PersistentVolumeClaim, a Docker volume, or the MySQL workload (recognised
by its name or its image: mysql, mariadb). A protected resource is one whose state carries
`protect`: the engine refuses to delete or replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from preview_review.confinement import relaxations
from preview_review.diff_rows import changed_paths
from preview_review.model import Change, Preview
from preview_review.rotation_steps import STEPS as ROTATION_STEPS
from preview_review.values import lookup

STORAGE_TYPES = {
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:core/v1:PersistentVolume",
    "docker:index/volume:Volume",
}
WORKLOAD_TYPES = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "docker:index/service:Service",
    "docker:index/container:Container",
}
DATABASE_IMAGES = ("mysql", "mariadb", "percona")
RISKY_OPS = {"replace", "delete"}
OP_ORDER = {"delete": 0, "replace": 1, "update": 2, "create": 3}


@dataclass(frozen=True)
class Risk:
    change: Change
    stateful: bool
    """Touches data (storage or the database) or a protected resource: ranked first."""
    why: str

    @property
    def line(self) -> str:
        return f"{self.change.label}: {self.why}"


def risks(preview: Preview) -> list[Risk]:
    found = []
    for change in preview.changes:
        if change.op in ("same", "read", "refresh") or not change.custom:
            continue
        # A rotation's own steps (a new Job, the record rewritten) are how it stays safe; the
        # Secrets section says what they do.
        if change.logical_name in ROTATION_STEPS:
            continue
        touches = _touches_data(change)
        relaxed = relaxations(change)
        if change.op not in RISKY_OPS and not touches and not relaxed:
            continue
        why = _why(change, touches)
        if relaxed:
            why += "; relaxes confinement: " + ", ".join(relaxed)
        found.append(Risk(change, touches, why))
    return sorted(
        found, key=lambda r: (not r.stateful, not r.change.protected, OP_ORDER.get(r.change.op, 9), r.change.label)
    )


def _why(change: Change, touches: str) -> str:
    if change.op == "replace":
        forced = ", ".join(f"`{p}`" for p in _forcing(change))
        what = (
            f"replaced (delete and create), forced by {forced}"
            if forced
            else "replaced (delete and create) with no change of its own: a resource it depends on is replaced"
        )
    elif change.op == "delete":
        what = "deleted"
    else:
        changed = ", ".join(f"`{p}`" for p in (changed_paths(change) or change.diff_reasons)[:4])
        what = f"{change.op}d" + (f" ({changed})" if changed else "")
    return what + (f"; {touches}" if touches else "")


def _forcing(change: Change) -> list[str]:
    forced = [path for path, kind in sorted(change.detailed_diff.items()) if kind.endswith("-replace")]
    return forced or list(change.replace_reasons)


def _touches_data(change: Change) -> str:
    notes = []
    if change.type in STORAGE_TYPES:
        notes.append("stateful storage: its data goes with it" if change.op in RISKY_OPS else "stateful storage")
    elif change.type in WORKLOAD_TYPES and _runs(change.inputs) and _is_database(change.inputs):
        units = {"docker:index/service:Service": "its tasks restart", "docker:index/container:Container": "it restarts"}
        notes.append(f"the database workload: {units.get(change.type, 'its pods restart')}")
    if change.protected:
        notes.append("protected: the engine refuses to delete or replace it")
    return "; ".join(notes)


def _runs(inputs: dict[str, Any]) -> bool:
    """False for a container created never to start: the docker platform's secret carriers."""
    return inputs.get("start") is not False


def _is_database(inputs: dict[str, Any]) -> bool:
    images = [
        lookup(inputs, "spec.template.spec.containers[0].image"),
        lookup(inputs, "taskSpec.containerSpec.image"),
        inputs.get("image"),
    ]
    names = [lookup(inputs, "metadata.name"), inputs.get("name")]
    for value in images:
        if isinstance(value, str) and value.split("/")[-1].split(":")[0].split("@")[0] in DATABASE_IMAGES:
            return True
    return any(isinstance(n, str) and any(db in n.split("-") for db in DATABASE_IMAGES) for n in names)
