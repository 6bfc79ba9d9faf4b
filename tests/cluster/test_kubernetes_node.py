"""A real node (tests/kubernetes_node.py): pods start in containerd with runc, get an address on
the node's bridge, answer each other directly and through a Service (kube-proxy), find Services
by name (CoreDNS), are refused and admitted by a NetworkPolicy (kube-router's firewall), show
their logs and take `exec`; stopped, the node leaves nothing in the host."""

import json
import time

import pytest

from tests.node_images import SHELL_IMAGE

pytestmark = [pytest.mark.cluster]

NS = "node-check"


def pod(name: str, command: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
            "spec": {"automountServiceAccountToken": False, "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "main", "image": SHELL_IMAGE, "imagePullPolicy": "Never",
                                     "command": ["sh", "-c", command]}]}}


def wait_running(plane, name: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = plane.get("pod", name, "-n", NS)
        if found["status"].get("phase") == "Running" and found["status"].get("podIP"):
            return found
        time.sleep(0.5)
    events = plane.kubectl("get", "events", "-n", NS, check=False).stdout
    raise AssertionError(f"pod {name} not Running within {timeout} s: {found['status']}\n{events}")


@pytest.fixture(scope="module")
def pods(kubernetes_node, tmp_path_factory):
    plane = kubernetes_node.plane
    plane.kubectl("create", "namespace", NS)
    manifest = tmp_path_factory.mktemp("node-pods") / "pods.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        pod("web", "mkdir -p /www && echo served-by-$(hostname) > /www/index.html && echo started && exec httpd -f -p 8080 -h /www"),
        pod("client", "exec sleep 3600"),
    ]}))
    plane.kubectl("apply", "-f", str(manifest))
    return {name: wait_running(plane, name) for name in ("web", "client")}


def test_a_pod_runs_with_an_address_of_the_node_bridge(kubernetes_node, pods):
    prefix = kubernetes_node.subnet.rsplit(".", 1)[0] + "."
    assert all(p["status"]["podIP"].startswith(prefix) for p in pods.values())
    assert pods["web"]["spec"]["nodeName"] == kubernetes_node.name


def test_logs_and_exec_go_through_the_kubelet(kubernetes_node, pods):
    plane = kubernetes_node.plane
    assert plane.kubectl("logs", "-n", NS, "web").stdout.strip() == "started"
    assert plane.kubectl("exec", "-n", NS, "client", "--", "hostname").stdout.strip() == "client"


def test_one_pod_answers_another_over_the_bridge(kubernetes_node, pods):
    address = pods["web"]["status"]["podIP"]
    # nc rather than wget: Debian's static busybox wget dies of SIGSEGV in a pod (exit 139).
    request = f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {address} 8080"
    fetched = kubernetes_node.plane.kubectl("exec", "-n", NS, "client", "--", "sh", "-c", request)
    assert fetched.stdout.splitlines()[0].startswith("HTTP/1.")
    assert fetched.stdout.strip().splitlines()[-1] == "served-by-web"


def test_a_service_address_reaches_its_pod_through_kube_proxy(kubernetes_node, pods):
    plane = kubernetes_node.plane
    plane.kubectl("expose", "-n", NS, "pod", "web", "--port", "80", "--target-port", "8080")
    address = plane.get("service", "web", "-n", NS)["spec"]["clusterIP"]
    request = f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {address} 80"
    deadline = time.monotonic() + 30  # kube-proxy writes the Service's rules a moment later
    while True:
        fetched = plane.kubectl("exec", "-n", NS, "client", "--", "sh", "-c", request, check=False)
        if fetched.stdout.strip().endswith("served-by-web") or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert fetched.stdout.strip().splitlines()[-1:] == ["served-by-web"], fetched


def test_the_cluster_dns_answers_a_service_name_with_its_address(kubernetes_node, pods):
    plane = kubernetes_node.plane
    address = plane.get("service", "web", "-n", NS)["spec"]["clusterIP"]
    answer = plane.kubectl("exec", "-n", NS, "client", "--", "nslookup", f"web.{NS}.svc.cluster.local").stdout
    assert f"web.{NS}.svc.cluster.local" in answer and address in answer, answer


def fetch_web(plane, address: str) -> str:
    request = f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {address} 8080"
    return plane.kubectl("exec", "-n", NS, "client", "--", "sh", "-c", request, check=False).stdout.strip()


def until(check, timeout: float = 30) -> bool:
    """Policies take effect a moment after the API has them: the enforcer watches them."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def test_a_network_policy_refuses_and_then_admits_a_connection(kubernetes_node, pods, tmp_path):
    plane = kubernetes_node.plane
    address = pods["web"]["status"]["podIP"]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web", "namespace": NS},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"], "ingress": [
            {"from": [{"podSelector": {"matchLabels": {"app": "nobody"}}}]}]}}))
    plane.kubectl("apply", "-f", str(policy))
    assert until(lambda: not fetch_web(plane, address).endswith("served-by-web")), "the policy never took effect"
    plane.kubectl("label", "-n", NS, "pod", "client", "app=nobody", "--overwrite")
    assert until(lambda: fetch_web(plane, address).endswith("served-by-web")), "the admitted pod is still refused"
    plane.kubectl("delete", "-f", str(policy))


def test_stopped_the_node_leaves_nothing_behind(kubernetes_node, pods):
    kubernetes_node.stop()  # the fixture's own stop then finds nothing to do
    assert kubernetes_node.leftovers() == []
