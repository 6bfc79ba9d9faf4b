"""A real Kubernetes control plane for the tests marked `cluster`: etcd, kube-apiserver,
kube-controller-manager and kube-scheduler of toolchain/ (toolchain/build.sh etcd kube kwok),
with kwok standing in for the kubelet of one fake node. Everything listens on 127.0.0.1 ports
chosen free at start, keeps its files in a temporary folder and is stopped by PID afterwards.

No container runs: kwok writes the pod statuses a kubelet would (tests/kwok/ says which), so
images, probes and volumes are never exercised; the API's validation, defaulting, admission,
the controllers (Deployments, StatefulSets, the volume binder, the autoscaler, the endpoints)
and the scheduler are the real ones.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from tests.cluster_toolchain import wait_for_cluster_toolchain
from tests.pulumi_engine import TOOLCHAIN_BIN, engine_required

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok")
KWOK_STAGES = TOOLCHAIN_BIN / "kwok-stages"  # upstream's stage files, copied by the kwok recipe
OUR_STAGES = Path(__file__).resolve().parent / "kwok"
TOKEN = "moorings-test-admin"  # the only identity: system:masters, on loopback only
CONTEXT = "moorings-test"
NODE = "kwok-node-0"
STARTUP_TIMEOUT = 60  # seconds for each component to answer; a cold start takes a few


def control_plane_problem() -> Optional[str]:
    """Why the control plane cannot run here, or None."""
    missing = [name for name in BINARIES if not (TOOLCHAIN_BIN / name).exists()]
    if not missing and not KWOK_STAGES.is_dir():  # the build's stamps only watch binaries
        return f"missing {KWOK_STAGES} (run `rm toolchain/.stamps/kwok && bash toolchain/build.sh kwok`)"
    if missing:
        return f"missing {', '.join(missing)} in {TOOLCHAIN_BIN} (run `bash toolchain/build.sh etcd kube kwok`)"
    return None


def require_control_plane() -> None:
    wait_for_cluster_toolchain()
    problem = control_plane_problem()
    if problem is None:
        return
    if engine_required():
        pytest.fail(f"{problem}; this run requires every tier (MOORINGS_REQUIRE_ENGINE=1 or CI=true), so no skip")
    pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ControlPlane:
    """The running components; `kubeconfig` is what a user of this cluster would be given."""

    dir: Path
    fake_node: bool = True
    """kwok's node; without it no node exists until a real one joins (tests/kubernetes_node.py)."""
    address: str = "127.0.0.1"
    """Where the API server listens: a real node's pods reach it at an address of the node's
    bridge (through the `kubernetes` Service), never at a loopback one."""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started_in: dict[str, float] = field(default_factory=dict)
    """Seconds from spawn to ready, for the components waited on (and `all`)."""
    _spawned_at: dict[str, float] = field(default_factory=dict)

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    # -- starting --------------------------------------------------------------------------

    def start(self) -> None:
        begun = time.monotonic()
        self._keys()
        etcd = self._etcd()
        self._wait("etcd", lambda: _get(f"{etcd}/health"))
        self._apiserver(etcd)
        self._wait("kube-apiserver", lambda: self._readyz())
        self._controllers()
        if self.fake_node:
            self._kwok()
            self.kubectl("apply", "-f", str(OUR_STAGES / "node.yaml"))
            self._wait("node", self._node_ready, logs=("kwok", "kube-controller-manager"))
        self.started_in["all"] = time.monotonic() - begun

    def _spawn(self, name: str, *args: str) -> None:
        with open(self.dir / f"{name}.log", "wb") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                [*DIE_WITH_PARENT, str(TOOLCHAIN_BIN / name), *args], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self._spawned_at[name] = time.monotonic()

    def _wait(self, name: str, ready, logs: tuple[str, ...] = ()) -> None:
        begun = time.monotonic()
        deadline = begun + STARTUP_TIMEOUT
        component = self.processes.get(name)
        while time.monotonic() < deadline:
            if component is not None and component.poll() is not None:
                break
            try:
                if ready():
                    self.started_in[name] = time.monotonic() - self._spawned_at.get(name, begun)
                    return
            except OSError:
                pass
            time.sleep(0.2)
        shown = "\n".join(f"--- {log}.log\n{self.log(log)[-3000:]}" for log in logs or (name,))
        raise RuntimeError(f"{name} did not become ready within {STARTUP_TIMEOUT} s\n{shown}")

    def _keys(self) -> None:
        """The service-account signing key: the only key the API server cannot make itself."""
        (self.dir / "pki").mkdir()
        subprocess.run(["openssl", "genrsa", "-out", str(self.dir / "sa.key"), "2048"],
                       check=True, capture_output=True)
        (self.dir / "tokens.csv").write_text(f"{TOKEN},admin,admin,system:masters\n")

    def _etcd(self) -> str:
        client, peer = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        self._spawn(
            "etcd", "--name", "test", "--data-dir", str(self.dir / "etcd"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", f"test={peer}",
            "--unsafe-no-fsync",  # a throwaway store: durability buys nothing here
        )
        return client

    def _apiserver(self, etcd: str) -> None:
        port = free_port()
        self.server = f"https://{self.address}:{port}"
        # The default reconciler would publish 127.0.0.1 as the `kubernetes` Service's
        # endpoint, which the API refuses (a loopback address).
        loopback = ("--endpoint-reconciler-type", "none") if self.address.startswith("127.") else ()
        self._spawn(
            "kube-apiserver", "--etcd-servers", etcd,
            "--bind-address", self.address, "--secure-port", str(port),
            "--advertise-address", self.address, *loopback,
            "--cert-dir", str(self.dir / "pki"),  # a self-signed serving certificate
            "--token-auth-file", str(self.dir / "tokens.csv"), "--authorization-mode", "RBAC",
            "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-account-key-file", str(self.dir / "sa.key"),
            "--service-account-signing-key-file", str(self.dir / "sa.key"),
            "--service-cluster-ip-range", "10.96.0.0/16",
            # A real node's name does not resolve here; its address does (tests/kubernetes_node.py).
            "--kubelet-preferred-address-types", "InternalIP,Hostname",
        )
        self._write_kubeconfig()

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": CONTEXT,
            "clusters": [{"name": CONTEXT, "cluster": {
                "server": self.server, "certificate-authority": str(self.dir / "pki" / "apiserver.crt")}}],
            "users": [{"name": CONTEXT, "user": {"token": TOKEN}}],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
        }
        self.kubeconfig.write_text(json.dumps(config, indent=1))

    def _readyz(self) -> bool:
        context = ssl.create_default_context(cafile=str(self.dir / "pki" / "apiserver.crt"))
        request = urllib.request.Request(f"{self.server}/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=2, context=context) as answer:
            return answer.status == 200

    def _controllers(self) -> None:
        common = ("--kubeconfig", str(self.kubeconfig), "--authentication-kubeconfig", str(self.kubeconfig),
                  "--authorization-kubeconfig", str(self.kubeconfig), "--leader-elect=false",
                  "--bind-address", "127.0.0.1")
        self._spawn(
            "kube-controller-manager", *common, "--secure-port", str(free_port()),
            "--service-account-private-key-file", str(self.dir / "sa.key"),
            "--root-ca-file", str(self.dir / "pki" / "apiserver.crt"),
            "--cert-dir", str(self.dir / "kcm-pki"),
        )
        self._spawn("kube-scheduler", *common, "--secure-port", str(free_port()),
                    "--cert-dir", str(self.dir / "scheduler-pki"))

    def _kwok(self) -> None:
        configs = [KWOK_STAGES / path for path in (
            "node/fast/node-initialize.yaml",
            "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
            "pod/fast/pod-ready.yaml", "pod/fast/pod-complete.yaml", "pod/fast/pod-delete.yaml",
        )] + sorted(OUR_STAGES.glob("stage-*.yaml"))
        self._spawn(
            "kwok", "--kubeconfig", str(self.kubeconfig),
            "--config", ",".join(map(str, configs)),
            "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
            # The node's heartbeat, as a kubelet's: a Lease renewed in kube-node-lease. Its
            # default (40 s) comes with a KwokConfiguration document, which --config files of
            # Stages alone do not carry: without this flag no Lease is written, and 50 s after
            # start the node lifecycle controller finds the node unreachable, taints it and sets
            # every pod on it Ready=False (ContainersReady stays True); kwok's pod-ready Stage
            # only readies Pending pods, so Deployments fall to 0 available and stay there.
            "--node-lease-duration-seconds", "40",
        )

    def _node_ready(self, name: str = NODE) -> bool:
        """Ready, and untainted: the node lifecycle controller saw it ready and lifted the
        not-ready taint every new node starts with, so the scheduler may use it."""
        found = self.kubectl("get", "node", name, "-o", "json", check=False)
        if found.returncode != 0:
            return False
        node = json.loads(found.stdout)
        ready = [c["status"] for c in node["status"].get("conditions", []) if c["type"] == "Ready"]
        return ready == ["True"] and not node["spec"].get("taints")

    # -- using -----------------------------------------------------------------------------

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(TOOLCHAIN_BIN / "kubectl"), "--kubeconfig", str(self.kubeconfig), *args],
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def get(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def rss_mib(self) -> float:
        """The resident memory of every component, summed (from /proc)."""
        total = 0
        for process in self.processes.values():
            status = Path(f"/proc/{process.pid}/status")
            if process.poll() is None and status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024

    # -- stopping --------------------------------------------------------------------------

    def stop(self) -> None:
        """By PID, the reverse of the start order: the clients go before the API, the API before etcd."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


# A killed pytest (a CI timeout) must not leave a control plane behind: the kernel sends SIGKILL
# to a component when the process that started it dies (PR_SET_PDEATHSIG, kept across exec), set
# by util-linux's setpriv before it execs the component. Not a preexec_fn: Python code between
# fork and exec can hang in a child of a process with threads (gRPC's, once the unit tests' mocks
# ran): on the real node kube-router once died there, leaving only gRPC's fork message in its log.
DIE_WITH_PARENT = ("setpriv", "--pdeathsig", "KILL", "--")


def _get(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return answer.status == 200


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory):
    """One cluster for the session: each stack works in a namespace of its own."""
    require_control_plane()
    plane = ControlPlane(tmp_path_factory.mktemp("control-plane"))
    try:
        plane.start()
        yield plane
    finally:
        plane.stop()
