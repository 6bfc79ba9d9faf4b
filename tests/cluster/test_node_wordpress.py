"""staging, `kubernetes.mode existing`, deployed by the real engine to the real node
(tests/kubernetes_node.py) with the application images of scripts/images.sh: MariaDB and
WordPress pods run and turn Ready, the credential rotation's Jobs run there (at the first
install a no-op open and a real close, through the stack's NetworkPolicies), and WordPress,
reached over `kubectl port-forward` on 127.0.0.1, installs itself on the database and serves
what it published, also when scaled to 3 and back to 2. The running pods are checked as the kernel sees them (their user, capabilities,
seccomp, secret files), the stack's policies (enforced by kube-router) keep other pods from
MySQL, and its disruption budget refuses an eviction that would take a second pod down.
Faults: MySQL killed under a visitor's requests (the site answers again with no deploy), a
rotation's `up` killed with SIGKILL (the next plain `up` finishes it); then a backup, the stack
destroyed, and the backup restored into a fresh one."""

from __future__ import annotations

import copy
import gzip
import http.client
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import pytest

from moorings.wordpress_builders.kubernetes.rotation import NAME as CREDENTIALS
from moorings.wordpress_builders.kubernetes.wordpress import WP_CONTENT
from tests.app.app_images import IMAGES
from tests.app.backups_script import BACKUPS, SCRIPT_TIMEOUT
from tests.app.request_loop import RequestLoop
from tests.app.wordpress_client import WordPressSite, png, post_path, upload_path, wait_for
from tests.cluster_stacks import existing_mode_project, kubernetes_config, names, provide_volumes, wait_for_ready_replicas
from tests.control_plane import free_port
from tests.node_images import SHELL_IMAGE
from tests.pulumi_engine import TOOLCHAIN_BIN, changed_steps, engine_required, require_engine

pytestmark = [pytest.mark.engine, pytest.mark.cluster, pytest.mark.app]

STACK = "staging"
DEMO_IMAGE = "moorings-test/nginx:standin"  # tests/standin_images.py: nginx-unprivileged's stand-in
WORDPRESS = "app.kubernetes.io/name=wordpress"
MYSQL = "app.kubernetes.io/name=mysql"
TITLE = "Served by a real kubelet"
MOST_REPLICAS = 5
ROTATED_PASSWORD = "Node-Rotated-Password-5c7a"
KILLED_ROTATION_PASSWORD = "Node-Killed-Rotation-Password-2d9e"
JOB = "kubernetes:batch/v1:Job"
RECOVERED_WITHIN = 120  # seconds after MySQL's kill: the kubelet's restart and the probes, with room
# The images' own users (moorings/wordpress_args.py): the pods run as them, and their group
# (the pod's fsGroup) is the only one, beside root, that may read the secret files.
READERS = {"wordpress": (33, 33), "mysql": (999, 999)}
CLAIMS = ("mysql-data", "wp-content", "backups")


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
    for claim in CLAIMS:
        volume_folder(plane, namespace, claim)
    for path, value in {"wordpress.image": IMAGES["wordpress"], "mysql.image": IMAGES["mysql"],
                        "services.demo.image": DEMO_IMAGE, "backup.enabled": "true"}.items():
        project.set(STACK, path, value)
    # This cluster's operator allows staging 5 WordPress pods (the committed pack config: 3).
    pack_config = project.dir / "policies" / "config" / f"{STACK}.json"
    config = json.loads(pack_config.read_text())
    config["replicas-within-bounds"]["max"] = MOST_REPLICAS
    pack_config.write_text(json.dumps(config, indent=2))
    project.up(STACK)
    yield project, namespace


def volume_folder(plane, namespace: str, claim: str) -> Path:
    """The hostPath folder of a claim's PersistentVolume (cluster_stacks.provide_volumes), made
    writable for the images' own users (hostPath has no fsGroup)."""
    folder = plane.dir / "volumes" / namespace / claim
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    return folder


@contextmanager
def forwarded(kubernetes_node, namespace: str, target: str = "service/wordpress", remote: int = 80) -> Iterator[str]:
    """`target` on 127.0.0.1 through the API server and the kubelet (port-forward): WordPress's
    Service (one pod behind it, chosen at start, so a scale-down gets a new forward) or a pod."""
    port = free_port()
    log = kubernetes_node.dir / f"port-forward-{port}.log"
    with open(log, "wb") as out:
        forward = subprocess.Popen(
            [str(TOOLCHAIN_BIN / "kubectl"), "--kubeconfig", str(kubernetes_node.plane.kubeconfig),
             "port-forward", "-n", namespace, target, f"{port}:{remote}", "--address", "127.0.0.1"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _not_answering(url), 60, f"WordPress at {url} ({target})\n{log.read_text()}")
        yield url
    finally:
        forward.terminate()
        forward.wait(timeout=10)


@pytest.fixture(scope="module")
def site(staging, kubernetes_node):
    with forwarded(kubernetes_node, staging[1]) as url:
        yield WordPressSite(url)


@pytest.fixture(scope="module")
def published(site) -> dict:
    """WordPress installed on its database, and one post published there."""
    site.install("Moorings on a real node", "admin", "Node-Admin-Password-4e1f", "admin@example.com")
    site.log_in("admin", "Node-Admin-Password-4e1f")
    return site.publish_post(TITLE, "Pods that really run.")


def _not_answering(url: str) -> str | None:
    """Any HTTP answer will do, and a redirect is not followed: for a Host other than the one it
    was installed at, WordPress redirects there, to a forward that may be gone."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
    try:
        connection.request("GET", "/wp-login.php")
        connection.getresponse().read()
        return None
    except (OSError, http.client.HTTPException) as error:
        return str(error)
    finally:
        connection.close()


def _post_missing(url: str, post: dict, site: WordPressSite) -> Optional[str]:
    """None when the site at `url` (a forward of its own) serves the post, else what it answered.
    Asked with the Host the site was installed at: for any other, WordPress redirects there
    (its canonical address), to a forward that may be gone."""
    host = urllib.parse.urlsplit(site.url).netloc
    page = WordPressSite(url).request(post_path(post["id"]), headers={"Host": host})
    return None if page.status == 200 and TITLE in page.text else f"HTTP {page.status}: {page.text[:300]}"


def service_address(plane, namespace: str) -> str:
    """WordPress's Service as the node's kube-proxy serves it: its cluster IP, reached from the
    node's host, lands in a pod of the node's own network (no port-forward that a roll cuts)."""
    return f"http://{plane.get('service', '-n', namespace, 'wordpress')['spec']['clusterIP']}"


def running_pods(plane, namespace: str, selector: str) -> list[dict]:
    return [p for p in plane.get("pods", "-n", namespace, "-l", selector)["items"]
            if p["status"]["phase"] == "Running" and not p["metadata"].get("deletionTimestamp")]


def rotation_jobs(plane, namespace: str) -> dict[str, dict]:
    """The rotation's Jobs, by their name without the digest."""
    return {j["metadata"]["name"].rsplit("-", 1)[0]: j for j in plane.get("jobs", "-n", namespace)["items"]}


def test_mysql_and_wordpress_pods_run_and_are_ready(staging, kubernetes_node):
    _, namespace = staging
    plane = kubernetes_node.plane
    wait_for_ready_replicas(plane, namespace, "statefulset/mysql", 1)
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    pods = plane.get("pods", "-n", namespace)["items"]
    assert all(p["spec"]["nodeName"] == kubernetes_node.name for p in pods)
    services = [p for p in pods if not p["metadata"].get("labels", {}).get("job-name")]
    assert all(p["status"]["phase"] == "Running" for p in services), [p["status"] for p in services]


def test_the_rotation_jobs_ran_on_the_node_at_the_first_install(staging, kubernetes_node):
    """Open found no database yet (the image initialises it from the new Secret); close, after
    WordPress rolled, logged in to MySQL through the stack's NetworkPolicies and set its passwords."""
    _, namespace = staging
    plane = kubernetes_node.plane
    jobs = rotation_jobs(plane, namespace)
    assert sorted(jobs) == ["mysql-credentials", "mysql-credentials-close"]
    assert all(j["status"].get("succeeded") == 1 for j in jobs.values()), [j["status"] for j in jobs.values()]
    opened = plane.kubectl("logs", "-n", namespace, f"job/{jobs['mysql-credentials']['metadata']['name']}").stdout
    assert "a first install" in opened, opened
    closed = plane.kubectl("logs", "-n", namespace, f"job/{jobs['mysql-credentials-close']['metadata']['name']}").stdout
    assert "the database's passwords are the new ones" in closed, closed


def test_wordpress_installs_on_the_database_and_serves_a_published_post(site, published):
    page = site.get(post_path(published["id"]))
    assert page.status == 200 and TITLE in page.text, page.status


def test_every_start_asked_the_registry_for_its_image(staging, kubernetes_node):
    """imagePullPolicy Always (moorings/k8s/pods.py): the node's containerd resolved each tag
    at the registry (tests/node_registry.py), not from its cache alone."""
    asked = set(kubernetes_node.registry.pulls)
    assert {IMAGES["wordpress"], IMAGES["mysql"]} <= asked, asked


def _exec(plane, namespace: str, pod: dict, script: str, container: Optional[str] = None) -> str:
    name = container or pod["spec"]["containers"][0]["name"]
    return plane.kubectl("exec", "-n", namespace, pod["metadata"]["name"], "-c", name, "--", "sh", "-c", script).stdout


@pytest.mark.parametrize("workload", sorted(READERS))
def test_the_secret_files_are_readable_by_the_images_user_and_group_only(staging, kubernetes_node, workload):
    """0400 in the Secret volume, root:<fsGroup> 0440 as the kubelet mounts them: the image's
    user reads them through its group, no other user can."""
    _, namespace = staging
    plane = kubernetes_node.plane
    uid, gid = READERS[workload]
    pod = running_pods(plane, namespace, f"app.kubernetes.io/name={workload}")[0]
    seen = _exec(plane, namespace, pod, 'id -u; for f in /run/secrets/*; do '
                 'stat -L -c "%a %u %g %n" "$f"; test -r "$f" && echo "readable $f"; done').splitlines()
    assert seen[0] == str(uid)
    files = [line.split()[3] for line in seen[1:] if not line.startswith("readable")]
    assert files, seen
    assert [line for line in seen[1:] if not line.startswith("readable")] == [f"440 0 {gid} {f}" for f in files]
    assert [line for line in seen if line.startswith("readable")] == [f"readable {f}" for f in files]


def test_every_running_container_is_restricted_as_the_kernel_sees_it(staging, kubernetes_node):
    """From /proc/1/status in each container: not root, no capability even in its bounding set,
    no_new_privs, a seccomp filter; and its root filesystem refuses a write."""
    _, namespace = staging
    plane = kubernetes_node.plane
    checked = []
    for pod in running_pods(plane, namespace, "app.kubernetes.io/name"):
        for container in pod["spec"]["containers"]:
            # Shell built-ins only: the demo's stand-in image has little beyond its shell.
            seen = _exec(plane, namespace, pod, 'while IFS= read -r line; do echo "$line"; done </proc/1/status; '
                         'if (: >/moorings-probe) 2>/dev/null; then echo wrote-root; else echo refused-root; fi', container["name"])
            status = dict(line.split(":\t", 1) for line in seen.splitlines() if ":\t" in line)
            name = f"{pod['metadata']['name']}/{container['name']}"
            assert "0" not in status["Uid"].split(), (name, status["Uid"])
            assert (status["CapEff"], status["CapBnd"]) == ("0000000000000000", "0000000000000000"), name
            assert (status["NoNewPrivs"], status["Seccomp"]) == ("1", "2"), name
            assert seen.splitlines()[-1] == "refused-root", (name, seen.splitlines()[-1])
            checked.append(name)
    assert {c.split("-")[0] for c in checked} >= {"mysql", "wordpress", "demo"}, checked


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


def _evict(plane, namespace: str, pod: str, folder) -> subprocess.CompletedProcess:
    """The eviction API, as `kubectl drain` calls it for each pod."""
    body = folder / f"evict-{pod}.json"
    body.write_text(json.dumps({"apiVersion": "policy/v1", "kind": "Eviction",
                                "metadata": {"name": pod, "namespace": namespace}}))
    return plane.kubectl("create", "--raw", f"/api/v1/namespaces/{namespace}/pods/{pod}/eviction",
                         "-f", str(body), check=False)


def test_the_disruption_budget_refuses_an_eviction_that_would_take_a_second_pod_down(staging, kubernetes_node, tmp_path):
    _, namespace = staging
    plane = kubernetes_node.plane
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    plane.kubectl("wait", "-n", namespace, "poddisruptionbudget/wordpress",
                  "--for=jsonpath={.status.disruptionsAllowed}=1", "--timeout=60s")
    first, second = sorted(p["metadata"]["name"] for p in running_pods(plane, namespace, WORDPRESS))
    evicted = _evict(plane, namespace, first, tmp_path)
    assert evicted.returncode == 0, evicted.stderr
    refused = _evict(plane, namespace, second, tmp_path)
    assert refused.returncode != 0 and "disruption budget" in refused.stderr, (refused.returncode, refused.stderr)
    assert not plane.get("pod", second, "-n", namespace)["metadata"].get("deletionTimestamp")
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)


def test_mysql_recreated_on_its_volume_still_has_the_post(staging, kubernetes_node, site, published):
    _, namespace = staging
    plane = kubernetes_node.plane
    before = plane.get("pod", "mysql-0", "-n", namespace)["metadata"]["uid"]
    plane.kubectl("delete", "pod", "mysql-0", "-n", namespace, "--wait=true", "--timeout=120s")

    def recreated() -> Optional[str]:
        found = plane.kubectl("get", "pod", "mysql-0", "-n", namespace, "-o", "json", check=False)
        if found.returncode != 0:
            return found.stderr.strip()
        pod = json.loads(found.stdout)
        ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
        return None if pod["metadata"]["uid"] != before and ready else "the old pod, or not ready yet"

    wait_for(recreated, 180, "mysql-0 recreated and ready")
    with forwarded(kubernetes_node, namespace) as url:
        wait_for(lambda: _post_missing(url, published, site), 120, "the post served after MySQL's pod was recreated")


def test_wordpress_answers_again_after_mysql_is_killed_under_traffic_without_a_deploy(staging, kubernetes_node, site, published):
    """MySQL's process killed from the host (SIGKILL, as the kernel's OOM killer does) while a
    visitor reads the post through WordPress's Service: the kubelet restarts the container in the
    same pod, and WordPress answers again once MySQL is back, with no deploy."""
    _, namespace = staging
    plane = kubernetes_node.plane
    before = plane.get("pod", "mysql-0", "-n", namespace)
    (status,) = before["status"]["containerStatuses"]
    pid = kubernetes_node.task_pid(status["containerID"].removeprefix("containerd://"))
    assert Path(f"/proc/{pid}/comm").read_text().strip() in ("mariadbd", "mysqld")  # the server, not a shell
    service = service_address(plane, namespace)
    wait_for(lambda: _post_missing(service, published, site), 60, f"the post at the Service ({service})")

    def restarted() -> Optional[str]:
        (now,) = plane.get("pod", "mysql-0", "-n", namespace)["status"]["containerStatuses"]
        return None if now["restartCount"] == status["restartCount"] + 1 and now["ready"] else f"restarts {now['restartCount']}, ready {now['ready']}"

    with RequestLoop(service + post_path(published["id"]), headers={"Host": urllib.parse.urlsplit(site.url).netloc}) as loop:
        time.sleep(3)  # answered before the fault
        killed_at = loop.now()
        os.kill(pid, signal.SIGKILL)
        ready = wait_for(restarted, RECOVERED_WITHIN, "mysql-0's container restarted by the kubelet and ready", every=0.5)
        wait_for(lambda: loop.serving_since(killed_at), 60, "WordPress serving the post again", every=0.2)
    print(f"node: MySQL killed under traffic: {loop.summary()}; served again for good {loop.back_after(killed_at):.1f} s "
          f"after the kill; the pod ready again within {ready:.1f} s")
    assert plane.get("pod", "mysql-0", "-n", namespace)["metadata"]["uid"] == before["metadata"]["uid"]  # the same pod
    assert loop.failed_before(killed_at) == [], loop.summary()  # served until the kill


@pytest.mark.parametrize("replicas", [MOST_REPLICAS, 2])
def test_scaling_readies_that_many_wordpress_pods_each_serving_the_post(staging, kubernetes_node, site, published, replicas):
    project, namespace = staging
    plane = kubernetes_node.plane
    project.set(STACK, "wordpress.replicas", str(replicas))
    project.up(STACK)
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", replicas)
    running = running_pods(plane, namespace, WORDPRESS)
    assert len(running) == replicas, [p["metadata"]["name"] for p in running]
    for pod in running:  # each replica, on the shared database and wp-content
        listening = pod["spec"]["containers"][0]["ports"][0]["containerPort"]  # the Service's 80 is a pod's 8080
        with forwarded(kubernetes_node, namespace, f"pod/{pod['metadata']['name']}", listening) as url:
            assert _post_missing(url, published, site) is None, pod["metadata"]["name"]


def test_a_rotated_password_runs_both_jobs_on_the_node_and_the_post_is_still_served(staging, kubernetes_node, site, published):
    """open logs in with the record of the first install's passwords and lets the user in with
    both; MySQL and WordPress roll to the new Secret; close retires the old password."""
    project, namespace = staging
    plane = kubernetes_node.plane
    first = {name: job["metadata"]["name"] for name, job in rotation_jobs(plane, namespace).items()}
    project.set(STACK, "mysqlPassword", ROTATED_PASSWORD, secret=True)
    # A visitor reads the post through WordPress's Service during the rotation, with the Host the
    # site was installed at: none fails, as on docker. (When MySQL's pod mounted the new Secret,
    # the StatefulSet restarted MySQL: 54 of 176 failed within 21.6 s, measured here.)
    (mysql_pod,) = running_pods(plane, namespace, MYSQL)
    mysql_pod_uid = mysql_pod["metadata"]["uid"]
    service = service_address(plane, namespace)
    host = {"Host": urllib.parse.urlsplit(site.url).netloc}
    wait_for(lambda: _post_missing(service, published, site), 60, f"the post at the Service ({service})")
    with RequestLoop(service + post_path(published["id"]), headers=host) as loop:
        project.up(STACK)
    print(f"during the rotation on the node: {loop.summary()}")
    assert len(loop.answers) > 10 and loop.failures == [], loop.summary()
    assert mysql_pod_uid == running_pods(plane, namespace, MYSQL)[0]["metadata"]["uid"]  # not restarted
    jobs = rotation_jobs(plane, namespace)
    assert sorted(jobs) == ["mysql-credentials", "mysql-credentials-close"]
    assert all(jobs[n]["metadata"]["name"] != first[n] for n in jobs), (first, jobs.keys())
    assert all(j["status"].get("succeeded") == 1 for j in jobs.values()), [j["status"] for j in jobs.values()]
    opened = plane.kubectl("logs", "-n", namespace, f"job/{jobs['mysql-credentials']['metadata']['name']}").stdout
    assert "accepts the old and the new one" in opened, opened
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    with forwarded(kubernetes_node, namespace) as url:
        wait_for(lambda: _post_missing(url, published, site), 120, "the post served after the rotation")


def credential_jobs(plane, namespace: str) -> dict[str, str]:
    """The rotation's Jobs in the cluster, the old ones not yet deleted included: name -> UID."""
    return {j["metadata"]["name"]: j["metadata"]["uid"] for j in plane.get("jobs", "-n", namespace)["items"]
            if j["metadata"]["name"].startswith(f"{CREDENTIALS}-")}


def jobs_in_state(project, namespace: str) -> set[str]:
    """The names of the Jobs the state holds (a Kubernetes object's ID is namespace/name)."""
    return {r["id"].removeprefix(f"{namespace}/") for r in project.deployment(STACK)["resources"] if r["type"] == JOB}


def test_a_rotation_killed_once_its_job_exists_is_finished_by_the_next_plain_up(staging, kubernetes_node, site, published):
    """`up` killed with SIGKILL (the CLI, its language host and providers) as soon as the
    rotation's opening Job exists, while the provider waits for it to complete: the next plain
    `up`, through the launcher a user runs, finishes the rotation with nothing edited by hand
    (server-side apply takes over the Job of that name; the launcher drops the interrupted create)."""
    project, namespace = staging
    plane = kubernetes_node.plane
    first = credential_jobs(plane, namespace)
    project.set(STACK, "mysqlPassword", KILLED_ROTATION_PASSWORD, secret=True)
    assert project.up_killed_when(STACK, lambda: bool(credential_jobs(plane, namespace).keys() - first.keys()),
                                  timeout=300, every=0.5), "the up ended before the rotation's Job existed"
    made = {name: uid for name, uid in credential_jobs(plane, namespace).items() if name not in first}
    unknown = made.keys() - jobs_in_state(project, namespace)
    pending = [op["resource"]["urn"] for op in project.deployment(STACK).get("pending_operations") or []]
    print(f"node: up killed once {sorted(made)} existed; unknown to the state: {sorted(unknown)}; pending: {pending}")

    started = time.monotonic()
    recovered = project.up_as_a_user(STACK)
    print(f"node: the next plain up took {time.monotonic() - started:.1f} s")
    assert "removed a stale lock of stack" in recovered.stderr, recovered.stderr[-3000:]
    if unknown:
        assert "cleared the interrupted create of" in recovered.stderr and "Job::mysql-credentials" in recovered.stderr, \
            recovered.stderr[-3000:]
    assert not project.deployment(STACK).get("pending_operations")
    jobs = rotation_jobs(plane, namespace)
    assert sorted(jobs) == ["mysql-credentials", "mysql-credentials-close"]  # the old ones deleted
    assert {j["metadata"]["name"] for j in jobs.values()} == jobs_in_state(project, namespace)
    # The Job the killed up made is the one the state holds: taken over, not made again.
    assert made.keys() <= jobs_in_state(project, namespace)
    assert {name: credential_jobs(plane, namespace)[name] for name in made} == made
    assert all(j["metadata"]["name"] not in first and j["status"].get("succeeded") == 1 for j in jobs.values()), \
        [(j["metadata"]["name"], j["status"]) for j in jobs.values()]
    closed = plane.kubectl("logs", "-n", namespace, f"job/{jobs['mysql-credentials-close']['metadata']['name']}").stdout
    assert "the database's passwords are the new ones" in closed, closed
    assert changed_steps(project.preview_json(STACK)) == []
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    wait_for(lambda: _post_missing(service_address(plane, namespace), published, site), 120, "the post served after the killed rotation")


# -- backups and restore (scripts/backups.sh --namespace; moorings/kubernetes_backups.py) ----------

def run_backups(kubernetes_node, namespace: str, *args: str) -> subprocess.CompletedProcess:
    """scripts/backups.sh as an operator runs it: the toolchain's kubectl and the cluster's kubeconfig."""
    env = {**os.environ, "KUBECTL": str(TOOLCHAIN_BIN / "kubectl"), "KUBECONFIG": str(kubernetes_node.plane.kubeconfig)}
    return subprocess.run(["bash", str(BACKUPS), "--namespace", namespace, *args],
                          capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, env=env)


def _get(url: str, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
    """One request, no redirect followed, with the Host the site was installed at."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class BackedUp:
    name: str
    post_id: int
    title: str
    upload_path: str
    upload: bytes


@pytest.fixture(scope="module")
def backed_up(staging, kubernetes_node, site, published) -> BackedUp:
    """A post with an uploaded image, then `scripts/backups.sh --namespace NS now`."""
    _, namespace = staging
    image = png()
    title = "Backed up on a real node"
    # The admin's session through a forward of its own (the module's first one went with the pod
    # it had chosen): REST calls are not redirected to the address the site was installed at.
    with forwarded(kubernetes_node, namespace) as url:
        admin = copy.copy(site)
        admin.url = url
        media = admin.upload("harbour.png", image, "image/png")
        post = admin.publish_post(title, f'<p>Kept.</p><img src="{media["source_url"]}" alt="harbour">')
    started = time.monotonic()
    taken = run_backups(kubernetes_node, namespace, "now")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    print(f"node: backup {taken.stdout.strip()} in {time.monotonic() - started:.1f} s")
    return BackedUp(taken.stdout.strip(), post["id"], title, upload_path(media["source_url"]), image)


def test_a_backup_now_runs_as_the_cronjobs_job_on_the_node_and_is_listed(staging, kubernetes_node, backed_up):
    _, namespace = staging
    plane = kubernetes_node.plane
    listed = run_backups(kubernetes_node, namespace, "list")
    assert listed.returncode == 0 and listed.stdout.split() == [backed_up.name], listed.stdout + listed.stderr
    # Both files in the claim's volume; the dump holds the post, the archive the upload.
    folder = plane.dir / "volumes" / namespace / "backups" / backed_up.name
    with gzip.open(folder / "database.sql.gz", "rt", errors="replace") as dump:
        assert backed_up.title in dump.read()
    with tarfile.open(folder / "wp-content.tar.gz") as archive:
        assert "./" + backed_up.upload_path.split("/wp-content/", 1)[1] in archive.getnames()
    # The one-off Jobs are gone with their pods; the CronJob's own schedule is untouched.
    assert [j for j in plane.get("jobs", "-n", namespace)["items"] if j["metadata"]["name"].startswith("backup-")] == []
    assert plane.get("cronjob", "backup", "-n", namespace)["spec"].get("suspend") in (None, False)


def test_destroy_keeps_the_protected_backups_claim_and_its_namespace(staging, kubernetes_node, backed_up):
    project, namespace = staging
    plane = kubernetes_node.plane
    refused = project.destroy(STACK, check=False)  # staging's data claims are not protected
    assert refused.returncode != 0 and "protect" in refused.stdout + refused.stderr, refused.stdout[-2000:]
    assert names(plane, "persistentvolumeclaims", namespace) == {"backups"}
    assert names(plane, "statefulsets", namespace) | names(plane, "deployments", namespace) == set()
    assert plane.get("persistentvolume", f"{namespace}-backups")["status"]["phase"] == "Bound"


def test_a_fresh_stack_restored_from_the_backup_serves_the_post_and_the_upload(staging, kubernetes_node, site, backed_up):
    project, namespace = staging
    plane = kubernetes_node.plane
    # The data claims' volumes were released with them (Retain): the administrator gives the
    # fresh stack empty ones, as a provisioner would.
    plane.kubectl("delete", "persistentvolume", f"{namespace}-mysql-data", f"{namespace}-wp-content")
    for claim in ("mysql-data", "wp-content"):
        shutil.rmtree(plane.dir / "volumes" / namespace / claim)
        volume_folder(plane, namespace, claim)
    provide_volumes(plane, project, STACK)
    project.up(STACK)
    wait_for_ready_replicas(plane, namespace, "deployment/wordpress", 2)
    service = service_address(plane, namespace)
    host = urllib.parse.urlsplit(site.url).netloc
    status, headers, _ = _get(service, post_path(backed_up.post_id), host)
    assert status == 302 and "/wp-admin/install.php" in headers.get("Location", ""), (status, headers)

    started = time.monotonic()
    restored = run_backups(kubernetes_node, namespace, "restore", backed_up.name)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    print(f"node: restored {backed_up.name} in {time.monotonic() - started:.1f} s")
    assert f"restore: {backed_up.name} is back" in restored.stdout

    status, _, body = _get(service, post_path(backed_up.post_id), host)
    assert status == 200 and backed_up.title in body.decode("utf-8", "replace"), status
    status, _, body = _get(service, backed_up.upload_path, host)
    assert status == 200 and body == backed_up.upload, (status, len(body))
    # Put back as WordPress's own files (its pods' user and group).
    (pod, *_) = running_pods(plane, namespace, WORDPRESS)
    owners = _exec(plane, namespace, pod, f"stat -c '%u %g' {WP_CONTENT}{backed_up.upload_path.split('/wp-content', 1)[1]}")
    assert owners.split() == ["33", "33"], owners
    assert [j for j in plane.get("jobs", "-n", namespace)["items"] if j["metadata"]["name"].startswith("backup-")] == []


def test_a_restore_of_a_backup_that_does_not_exist_changes_nothing_and_names_the_ones_there(staging, kubernetes_node, site, backed_up):
    _, namespace = staging
    refused = run_backups(kubernetes_node, namespace, "restore", "20000101T000000Z")
    assert refused.returncode != 0
    assert "no complete backup named 20000101T000000Z" in refused.stderr and backed_up.name in refused.stderr
    status, _, body = _get(service_address(kubernetes_node.plane, namespace), post_path(backed_up.post_id),
                           urllib.parse.urlsplit(site.url).netloc)
    assert status == 200 and backed_up.title in body.decode("utf-8", "replace"), status
