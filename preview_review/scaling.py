"""Scaling: every workload whose replica count changes, and the knobs that change nothing.

Replica counts are read from the resources' inputs, old and new:
- Kubernetes Deployments and StatefulSets: `spec.replicas`;
- HorizontalPodAutoscalers: `spec.minReplicas` and `spec.maxReplicas`;
- Docker Swarm replicated services (`docker:index/service:Service`): `mode.replicated.replicas`.
A created workload counts from 0, a deleted one goes to 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from preview_review.model import UNKNOWN, Change, Preview
from preview_review.stack_settings import StackSettings
from preview_review.values import lookup

WORKLOADS = {
    "kubernetes:apps/v1:Deployment": ("spec.replicas",),
    "kubernetes:apps/v1:StatefulSet": ("spec.replicas",),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ("spec.minReplicas", "spec.maxReplicas"),
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler": ("spec.minReplicas", "spec.maxReplicas"),
    "docker:index/service:Service": ("mode.replicated.replicas",),
}
HPA_TYPES = {t for t in WORKLOADS if "HorizontalPodAutoscaler" in t}
# Stack settings that set a replica count, and the workload (by name) each one scales.
REPLICA_KNOBS = ("wordpress.replicas", "kubernetes.autoscalingMinReplicas", "kubernetes.autoscalingMaxReplicas")


@dataclass(frozen=True)
class Scaling:
    label: str
    field: str
    """`replicas`, or an autoscaler's `min` / `max`."""
    before: Optional[int]
    after: Optional[int]
    workload: str = ""
    """The resource's logical name (`wordpress`, `demo`), which the settings' knobs name; the
    label carries the object's own, which on Swarm is prefixed (`moorings-swarm-demo`)."""

    @property
    def line(self) -> str:
        what = "" if self.field == "replicas" else f" {self.field}"
        note = " (new)" if self.before == 0 else " (deleted)" if self.after == 0 else ""
        return f"{self.label}{what}: {_count(self.before)} → {_count(self.after)}{note}"


def scaling(preview: Preview) -> list[Scaling]:
    found = []
    for change in preview.changes:
        for path in WORKLOADS.get(change.type, ()):
            before = _replicas(change.old_inputs, path, change)
            after = _replicas(change.new_inputs if change.op != "delete" else None, path, change)
            if before != after:
                field = "replicas" if path.endswith(".replicas") else path.split(".")[-1].removesuffix("Replicas")
                found.append(Scaling(change.label, field, before, after, change.logical_name))
    return sorted(found, key=lambda s: (s.label, s.field))


def knob_warnings(preview: Preview, settings: StackSettings) -> list[str]:
    """A changed replica setting whose workload's count does not change in this preview, and why."""
    scaled = {s.workload for s in scaling(preview)}
    warnings = []
    for setting in settings.changes:
        workload = _workload_of(setting.key)
        if workload is None or workload in scaled:
            continue
        line = f"`{setting.key}` {setting.before} → {setting.after} changes nothing in this preview"
        owner = _autoscaler_of(preview, workload)
        autoscaled = owner is not None or (workload == "wordpress" and settings.after.get("kubernetes.autoscaling") == "true")
        if autoscaled and setting.key == "wordpress.replicas":
            bounds = _bounds(owner) if owner is not None else _setting_bounds(settings)
            line += (
                f": a HorizontalPodAutoscaler owns the {workload} count ({bounds}) and the Deployment "
                "ignores spec.replicas (ignore_changes). Change kubernetes.autoscalingMinReplicas or "
                "kubernetes.autoscalingMaxReplicas instead"
            )
        warnings.append(line)
    for change in preview.changes:
        if change.type in ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"):
            owner = _autoscaler_of(preview, change.name)
            moved = _replicas(change.old_inputs, "spec.replicas", change) != _replicas(
                change.new_inputs, "spec.replicas", change
            )
            if owner is not None and moved and change.op not in ("create", "delete"):
                warnings.append(
                    f"{change.label} spec.replicas changes while the HorizontalPodAutoscaler {owner.name} "
                    "owns the count: the autoscaler sets it back"
                )
    return warnings


def _workload_of(key: str) -> Optional[str]:
    if key in REPLICA_KNOBS:
        return "wordpress"
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "services" and parts[2] == "replicas":
        return parts[1]
    return None


def _autoscaler_of(preview: Preview, workload: str) -> Optional[Change]:
    for change in preview.changes:
        if change.type in HPA_TYPES and change.op != "delete":
            if lookup(change.inputs, "spec.scaleTargetRef.name") == workload:
                return change
    return None


def _bounds(hpa: Change) -> str:
    return f"min {lookup(hpa.inputs, 'spec.minReplicas')}, max {lookup(hpa.inputs, 'spec.maxReplicas')}"


def _setting_bounds(settings: StackSettings) -> str:
    low = settings.after.get("kubernetes.autoscalingMinReplicas", "the default")
    high = settings.after.get("kubernetes.autoscalingMaxReplicas", "the default")
    return f"min {low}, max {high}"


def _replicas(inputs: Optional[dict[str, Any]], path: str, change: Change) -> Optional[int]:
    if inputs is None:
        return 0
    value = lookup(inputs, path)
    if isinstance(value, bool) or value == UNKNOWN:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    # Unset: Kubernetes runs 1 replica; a Swarm service without replicated mode is global.
    return 1 if path == "spec.replicas" else None


def _count(value: Optional[int]) -> str:
    return "?" if value is None else str(value)
