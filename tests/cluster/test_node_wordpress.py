"""staging, `kubernetes.mode existing`, deployed by the real engine to the real node
(tests/kubernetes_node.py) with the application images of scripts/images.sh: MariaDB and
WordPress pods run and turn Ready, and WordPress, reached over `kubectl port-forward` on
127.0.0.1, installs itself on the database and serves what it published; scaled, that many
pods run; the stack's policies (enforced by kube-router) keep other pods from MySQL."""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from tests.app.app_images import IMAGES
from tests.app.wordpress_client import WordPressSite, post_path, wait_for
from tests.cluster_stacks import existing_mode_project, kubernetes_config, wait_for_ready_replicas
from tests.control_plane import free_port
from tests.node_images import SHELL_IMAGE
from tests.pulumi_engine import TOOLCHAIN_BIN, engine_required, require_engine

pytestmark = [pytest.mark.engine, pytest.mark.cluster, pytest.mark.app]

STACK = "staging"
DEMO_IMAGE = "moorings-test/nginx:standin"  # tests/standin_images.py: nginx-unprivileged's stand-in


def require_images() -> None:
    """The images are read from the Docker Engine, never built or removed here."""
    missing = [name for name in (IMAGES["wordpress"], IMAGES["mysql"], DEMO_IMAGE)
               if subprocess.run(["docker", "image", "inspect", name], capture_output=True).returncode != 0]
    if missing:
        problem = f"missing images {', '.join(missing)} (scripts/images.sh; tests/standin_images.py)"
        if engine_required():
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(scope="module")
def staging(kubernetes_node, tmp_path_factory):
    require_engine()
    require_images()
    for name in (IMAGES["wordpress"], IMAGES["mysql"], DEMO_IMAGE):
        kubernetes_node.import_docker_image(name)
    plane = kubernetes_node.plane
    project = existing_mode_project(tmp_path_factory.mktemp("node-staging"), plane, STACK)
    namespace = kubernetes_config(project, STACK)["namespace"]
    # The PersistentVolumes' hostPath folders (cluster_stacks.provide_volumes): mounted now.
    for claim in ("mysql-data", "wp-content"):
        folder = plane.dir / "volumes" / namespace / claim
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o777)  # the images' own users write there; hostPath has no fsGroup
    for path, value in {"wordpress.image": IMAGES["wordpress"], "mysql.image": IMAGES["mysql"],
                        "services.demo.image": DEMO_IMAGE}.items():
        project.set(STACK, path, value)
    project.up(STACK)
    yield project, namespace


@contextmanager
def forwarded(kubernetes_node, namespace: str) -> Iterator[str]:
    """WordPress's Service on 127.0.0.1 through the API server and the kubelet (port-forward);
    one pod behind it, chosen at start, so a scale-down gets a new forward."""
    port = free_port()
    log = kubernetes_node.dir / f"port-forward-{port}.log"
    with open(log, "wb") as out:
        forward = subprocess.Popen(
            [str(TOOLCHAIN_BIN / "kubectl"), "--kubeconfig", str(kubernetes_node.plane.kubeconfig),
             "port-forward", "-n", namespace, "service/wordpress", f"{port}:80", "--address", "127.0.0.1"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _not_answering(url), 60, f"WordPress at {url}\n{log.read_text()}")
        yield url
    finally:
        forward.terminate()
        forward.wait(timeout=10)


@pytest.fixture(scope="module")
def site(staging, kubernetes_node):
    with forwarded(kubernetes_node, staging[1]) as url:
        yield WordPressSite(url)


def _not_answering(url: str) -> str | None:
    try:
        WordPressSite(url).get("/wp-login.php")
        return None
    except OSError as error:
        return str(error)


def test_mysql_and_wordpress_pods_run_and_are_ready(staging, kubernetes_node):
    _, namespace = staging
    plane = kubernetes_node.plane
    wait_for_ready_replicas(plane, namespace, "statefulset/mysql", 1)
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    pods = plane.get("pods", "-n", namespace)["items"]
    assert all(p["spec"]["nodeName"] == kubernetes_node.name for p in pods)
    assert all(p["status"]["phase"] == "Running" for p in pods), [p["status"] for p in pods]


def test_wordpress_installs_on_the_database_and_serves_a_published_post(site):
    started = time.monotonic()
    site.install("Moorings on a real node", "admin", "Node-Admin-Password-4e1f", "admin@example.com")
    site.log_in("admin", "Node-Admin-Password-4e1f")
    post = site.publish_post("Served by a real kubelet", "Pods that really run.")
    page = site.get(post_path(post["id"]))
    assert page.status == 200 and "Served by a real kubelet" in page.text, (page.status, time.monotonic() - started)


def test_every_start_asked_the_registry_for_its_image(staging, kubernetes_node):
    """imagePullPolicy Always (moorings/k8s/pods.py): the node's containerd resolved each tag
    at the registry (tests/node_registry.py), not from its cache alone."""
    asked = set(kubernetes_node.registry.pulls)
    assert {IMAGES["wordpress"], IMAGES["mysql"]} <= asked, asked


@pytest.mark.parametrize("replicas", [3, 2])
def test_scaling_runs_and_readies_that_many_wordpress_pods(staging, kubernetes_node, site, replicas):
    # after `site`: the site is installed, so its home page answers 200
    project, namespace = staging
    plane = kubernetes_node.plane
    project.set(STACK, "wordpress.replicas", str(replicas))
    project.up(STACK)
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", replicas)
    running = [p for p in plane.get("pods", "-n", namespace, "-l", "app.kubernetes.io/name=wordpress")["items"]
               if p["status"]["phase"] == "Running" and not p["metadata"].get("deletionTimestamp")]
    assert len(running) == replicas, [p["metadata"]["name"] for p in running]
    with forwarded(kubernetes_node, namespace) as url:
        assert WordPressSite(url).get("/").status == 200


def test_the_stacks_network_policy_keeps_other_pods_from_mysql(staging, kubernetes_node, tmp_path):
    """WordPress reaches MySQL (the site works); a pod the policy does not name, in the same
    namespace, is refused at MySQL's port."""
    _, namespace = staging
    plane = kubernetes_node.plane
    stranger = tmp_path / "stranger.json"
    stranger.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stranger", "namespace": namespace},
        "spec": {"automountServiceAccountToken": False, "terminationGracePeriodSeconds": 1,
                 "containers": [{"name": "main", "image": SHELL_IMAGE, "imagePullPolicy": "Never",
                                 "command": ["sleep", "3600"]}]}}))
    plane.kubectl("apply", "-f", str(stranger))
    plane.kubectl("wait", "-n", namespace, "pod/stranger", "--for=condition=Ready", "--timeout=90s")
    mysql = plane.get("pod", "mysql-0", "-n", namespace)["status"]["podIP"]
    probe = plane.kubectl("exec", "-n", namespace, "stranger", "--", "sh", "-c",
                          f"nc -w 3 {mysql} 3306 </dev/null && echo reached || echo refused", check=False)
    plane.kubectl("delete", "-f", str(stranger), "--wait=false")
    assert probe.stdout.strip().splitlines()[-1:] == ["refused"], probe
