"""Is a set of Kubernetes objects valid together, and each valid for the API?

`reference_problems` checks what no schema can: selectors select the pod labels, Services
and probes name ports the containers declare, volumes name claims and Secrets (and keys)
that exist, policies and autoscalers target existing workloads. `schema_problems` validates
each object against the Kubernetes OpenAPI schemas shipped in kubernetes-validate (offline).
"""

from __future__ import annotations

import functools
from typing import Iterable, Optional

import kubernetes_validate
import kubernetes_validate.utils

KUBERNETES_VERSION = "1.33"
# validate() reads and parses the schema files (1.4 MB of definitions) on every call; they
# never change, so parse each once. jsonschema only reads the schemas it is given.
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(kubernetes_validate.utils.schema_contents)
WORKLOADS = ("Deployment", "StatefulSet", "Job")
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def schema_problems(objects: Iterable[dict]) -> list[str]:
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(p) for p in error.path)
            problems.append(f"{_id(obj)}: {where}: {error.message}")
    return problems


def reference_problems(objects: list[dict]) -> list[str]:
    problems: list[str] = []
    namespaces = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    for obj in objects:
        ns = obj["metadata"].get("namespace")
        if obj["kind"] != "Namespace" and ns not in namespaces:
            problems.append(f"{_id(obj)}: namespace {ns} is not declared")
        check = _CHECKS.get(obj["kind"])
        if check:
            problems += [f"{_id(obj)}: {p}" for p in check(obj, objects)]
    return problems


# -- one check per kind ------------------------------------------------------------------------


def _workload(obj: dict, objects: list[dict]) -> list[str]:
    spec = obj["spec"]
    problems = []
    template_labels = spec["template"]["metadata"].get("labels", {})
    # A Job's selector is the API server's to generate.
    if obj["kind"] != "Job" and not _selects(spec["selector"]["matchLabels"], template_labels):
        problems.append("selector does not select the pod template's labels")
    pod = spec["template"]["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for c in pod["containers"]:
        ports = _port_keys(c)
        for probe_name in PROBES:
            port = _probe_port(c.get(probe_name))
            if port is not None and port not in ports:
                problems.append(f"{c['name']}.{probe_name} probes port {port}, which the container does not declare")
        for mount in c.get("volumeMounts", []):
            if mount["name"] not in volumes:
                problems.append(f"{c['name']} mounts volume {mount['name']}, which the pod does not have")
    for volume in volumes.values():
        problems += _volume_problems(volume, obj, objects)
    if obj["kind"] == "StatefulSet":
        service = _get(objects, "Service", spec.get("serviceName"), obj)
        if service is None or service["spec"].get("clusterIP") != "None":
            problems.append(f"serviceName {spec.get('serviceName')} is not a headless Service")
    return problems


def _volume_problems(volume: dict, owner: dict, objects: list[dict]) -> list[str]:
    if "persistentVolumeClaim" in volume:
        claim = volume["persistentVolumeClaim"]["claimName"]
        if _get(objects, "PersistentVolumeClaim", claim, owner) is None:
            return [f"volume {volume['name']} claims {claim}, which is not declared"]
    if "configMap" in volume:
        source = volume["configMap"]
        config = _get(objects, "ConfigMap", source["name"], owner)
        if config is None:
            return [f"volume {volume['name']} mounts ConfigMap {source['name']}, which is not declared"]
    if "secret" in volume:
        source = volume["secret"]
        secret = _get(objects, "Secret", source["secretName"], owner)
        if secret is None:
            return [f"volume {volume['name']} mounts Secret {source['secretName']}, which is not declared"]
        keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
        missing = sorted({item["key"] for item in source.get("items", [])} - keys)
        if missing:
            return [f"volume {volume['name']} asks for keys {missing} that Secret {source['secretName']} lacks"]
    return []


def _service(obj: dict, objects: list[dict]) -> list[str]:
    pods = _pods(objects, obj["spec"].get("selector", {}), obj)
    if not pods:
        return ["selects no pods"]
    problems = []
    for port in obj["spec"]["ports"]:
        target = port.get("targetPort", port["port"])
        if not all(target in set().union(*(_port_keys(c) for c in pod["containers"])) for pod in pods):
            problems.append(f"port {port['port']} targets {target}, which the selected containers do not declare")
    return problems


def _disruption_budget(obj: dict, objects: list[dict]) -> list[str]:
    return [] if _pods(objects, obj["spec"]["selector"]["matchLabels"], obj) else ["selects no pods"]


def _network_policy(obj: dict, objects: list[dict]) -> list[str]:
    spec = obj["spec"]
    targets = _pods(objects, spec["podSelector"]["matchLabels"], obj)
    if not targets:
        return ["podSelector selects no pods"]
    problems = []
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction, []):
            for peer in rule.get(peers, []):
                # Pods of this namespace, named by labels: those must exist. (Another namespace's
                # pods, every pod, or an address block are outside what the stack declares.)
                labels = peer.get("podSelector", {}).get("matchLabels")
                if labels and "namespaceSelector" not in peer and not _pods(objects, labels, obj):
                    problems.append(f"a {peers}.podSelector selects no pods")
    for rule in spec.get("ingress", []):
        for port in rule.get("ports", []):
            if not all(port["port"] in set().union(*(_port_keys(c) for c in p["containers"])) for p in targets):
                problems.append(f"allows port {port['port']}, which the selected containers do not declare")
    return problems


def _autoscaler(obj: dict, objects: list[dict]) -> list[str]:
    ref = obj["spec"]["scaleTargetRef"]
    target = _get(objects, ref["kind"], ref["name"], obj)
    if target is None:
        return [f"scales {ref['kind']} {ref['name']}, which is not declared"]
    problems = []
    if "replicas" in target["spec"]:
        problems.append(f"{ref['name']} sets spec.replicas, which the autoscaler owns")
    for c in target["spec"]["template"]["spec"]["containers"]:
        if "cpu" not in c.get("resources", {}).get("requests", {}):
            problems.append(f"{c['name']} has no CPU request to measure utilisation against")
    return problems


def _ingress(obj: dict, objects: list[dict]) -> list[str]:
    problems = []
    for rule in obj["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            service = _get(objects, "Service", backend["name"], obj)
            if service is None:
                problems.append(f"routes to Service {backend['name']}, which is not declared")
                continue
            wanted = backend["port"].get("name", backend["port"].get("number"))
            if wanted not in {p.get("name") for p in service["spec"]["ports"]} | {p["port"] for p in service["spec"]["ports"]}:
                problems.append(f"routes to port {wanted}, which Service {backend['name']} does not have")
    return problems


_CHECKS = {
    "Deployment": _workload,
    "StatefulSet": _workload,
    "Job": _workload,
    "Service": _service,
    "PodDisruptionBudget": _disruption_budget,
    "NetworkPolicy": _network_policy,
    "HorizontalPodAutoscaler": _autoscaler,
    "Ingress": _ingress,
}


# -- helpers -----------------------------------------------------------------------------------


def _id(obj: dict) -> str:
    return f"{obj['kind']} {obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"


def _get(objects: list[dict], kind: str, name: Optional[str], near: dict) -> Optional[dict]:
    ns = near["metadata"].get("namespace")
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name and obj["metadata"].get("namespace") == ns:
            return obj
    return None


def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _pods(objects: list[dict], selector: dict, near: dict) -> list[dict]:
    """Pod specs of the workloads (and CronJobs) in `near`'s namespace whose pods the selector selects."""
    ns = near["metadata"].get("namespace")
    return [
        _template(w)["spec"]
        for w in objects
        if w["kind"] in (*WORKLOADS, "CronJob")
        and w["metadata"].get("namespace") == ns
        and _selects(selector, _template(w)["metadata"].get("labels", {}))
    ]


def _template(workload: dict) -> dict:
    """The pod template: a CronJob's is in its Job template."""
    spec = workload["spec"]
    return spec["jobTemplate"]["spec"]["template"] if workload["kind"] == "CronJob" else spec["template"]


def _port_keys(container: dict) -> set:
    """What may name one of the container's ports: its name or its number."""
    return {p.get("name") for p in container.get("ports", [])} | {p["containerPort"] for p in container.get("ports", [])}


def _probe_port(probe: Optional[dict]):
    if not probe:
        return None
    for action in ("httpGet", "tcpSocket", "grpc"):
        if action in probe:
            return probe[action]["port"]
    return None  # exec probes name no port
