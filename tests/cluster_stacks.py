"""A stack deployed to the test control plane the way a user deploys to a cluster they have:
`kubernetes.mode existing`, a kubeconfig and its context, and, since no storage provisioner
runs, a PersistentVolume made beforehand for each claim the stack declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.control_plane import CONTEXT, ControlPlane
from tests.pulumi_engine import EngineProject


def existing_mode_project(workdir: Path, plane: ControlPlane, stack: str) -> EngineProject:
    project = EngineProject(workdir)
    project.init(stack)
    project.set(stack, "kubernetes.mode", "existing")
    project.set(stack, "kubernetes.kubeconfig", str(plane.kubeconfig))
    project.set(stack, "kubernetes.context", CONTEXT)
    provide_volumes(plane, project, stack)
    return project


def kubernetes_config(project: EngineProject, stack: str) -> dict[str, Any]:
    config = yaml.safe_load(project.stack_file(stack).read_text())["config"]
    return config.get("moorings:kubernetes", {})


def provide_volumes(plane: ControlPlane, project: EngineProject, stack: str) -> None:
    """One PersistentVolume per claim, reserved for it by claimRef (as an administrator of a
    cluster without dynamic provisioning does), with the class, size and access mode the stack's
    settings give the claim (their defaults are stacks/settings/kubernetes.py's)."""
    config = kubernetes_config(project, stack)
    namespace = config["namespace"]
    claims = {
        "mysql-data": (config.get("mysqlStorageClass"), config.get("mysqlStorageSize", "10Gi"), "ReadWriteOnce"),
        "wp-content": (config.get("wpContentStorageClass"), config.get("wpContentStorageSize", "5Gi"),
                       config.get("wpContentAccessMode", "ReadWriteOnce")),
        # Only claimed with backup.enabled; unclaimed, it waits reserved.
        "backups": (config.get("backupStorageClass"), config.get("backupStorageSize", "10Gi"), "ReadWriteOnce"),
    }
    volumes = [
        {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": f"{namespace}-{claim}"},
            "spec": {
                "storageClassName": storage_class or "",  # no class: the claim names none either
                "capacity": {"storage": size},
                "accessModes": [mode],
                "persistentVolumeReclaimPolicy": "Retain",
                "hostPath": {"path": str(plane.dir / "volumes" / namespace / claim)},  # never mounted
                "claimRef": {"namespace": namespace, "name": claim},
            },
        }
        for claim, (storage_class, size, mode) in claims.items()
    ]
    plane.kubectl("apply", "-f", str(_write(plane.dir / f"volumes-{namespace}.json", volumes)))


def _write(path: Path, objects: list[dict]) -> Path:
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    return path


def ready_replicas(plane: ControlPlane, namespace: str, kind_name: str) -> int:
    return plane.get(kind_name, "-n", namespace).get("status", {}).get("readyReplicas", 0)


def wait_for_ready_replicas(plane: ControlPlane, namespace: str, kind_name: str, count: int) -> None:
    """Until the workload's status counts `count` ready pods (an AssertionError after 180 s).
    Pulumi's await ends when the ReplicaSet has enough ready pods; the Deployment's own status,
    and on a scale-down the pods going away, follow a moment later; the autoscaler acts after
    `up` has returned."""
    plane.kubectl("wait", "-n", namespace, kind_name, f"--for=jsonpath={{.status.readyReplicas}}={count}",
                  "--timeout=180s")


def wait_for_rollout(plane: ControlPlane, namespace: str, kind_name: str) -> None:
    """Until every replica runs the latest pod template, ready, and no old one is left."""
    plane.kubectl("rollout", "status", "-n", namespace, kind_name, "--timeout=180s")


def pods_violating_restricted(plane: ControlPlane, namespace: str) -> str:
    """The API's own Pod Security admission, asked (a server-side dry run) whether the namespace,
    which enforces "baseline", could enforce "restricted": it names every running pod that
    would violate it (Pulumi does not show the API's warnings on the workloads themselves)."""
    asked = plane.kubectl("label", "--dry-run=server", "--overwrite", "namespace", namespace,
                          "pod-security.kubernetes.io/enforce=restricted")
    return asked.stderr.strip()


def names(plane: ControlPlane, kind: str, namespace: str) -> set[str]:
    return {item["metadata"]["name"] for item in plane.get(kind, "-n", namespace)["items"]}


def secret_names_in_templates(workload: dict[str, Any]) -> set[str]:
    """The Secrets a Deployment's or StatefulSet's pods mount."""
    volumes = workload["spec"]["template"]["spec"].get("volumes", [])
    return {v["secret"]["secretName"] for v in volumes if "secret" in v}
