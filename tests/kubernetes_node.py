"""One real Kubernetes node beside the control plane of tests/control_plane.py: a kubelet
with a containerd of its own (own root, state, socket and runc root in the test's folder, never
the Docker Engine's), toolchain's runc, the CNI plugins of toolchain/bin/cni on a bridge of its
own, kube-proxy (nftables), CoreDNS as kube-dns (tests/node_dns.py) and kube-router's
firewall, the NetworkPolicy enforcer (tests/node_kube_router.py). Pods really run: images are
imported into this containerd, and the registry it asks for Always pulls is ours
(tests/node_registry.py).

Everything is stopped by PID, and what the node leaves in the host is undone even when a test
fails: its pods' network namespaces and veths, its bridge and FORWARD rules, kube-proxy's and
the enforcer's tables, chains and ipsets, its cgroups, its mounts and the kernel tunables the
kubelet sets; `leftovers()` lists whatever remains.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pytest

from tests.control_plane import DIE_WITH_PARENT, ControlPlane, free_port, require_control_plane
from tests import node_iptables, node_kube_router as kube_router
from tests.netns_lab import alive, end_pids, ip
from tests.node_dns import COREDNS_IMAGE, DNS_IP, DOMAIN, dns_objects
from tests.node_images import PAUSE_IMAGE, binary_archive, images_problem, pause_archive, shell_archive
from tests.node_registry import Registry
from tests.cluster_toolchain import wait_for_cluster_toolchain
from tests.pulumi_engine import TOOLCHAIN_BIN, engine_required

OURS = ("kubelet", "kube-proxy", "coredns", "kube-router", "pause", "runc",
        "cni/bridge", "cni/host-local", "cni/loopback", "cni/portmap")
SYSTEM = ("containerd", "containerd-shim-runc-v2", "ctr", "ip", "iptables", "nft")
SERVICE_RANGE = "10.96.0.0/16"  # the API server's (tests/control_plane.py)
STARTUP_TIMEOUT = 90  # seconds; the node registers and reports its network ready in a few
CGROUP_ROOT = Path("/sys/fs/cgroup")
# The kubelet sets these at start (vm.overcommit_memory=1, kernel.panic=10, ...; its
# setupKernelTunables) unless protectKernelDefaults, which fails the start instead: they are
# the host's, so the fixture puts back what it found.
KERNEL_TUNABLES = tuple(Path("/proc/sys") / name for name in (
    "vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes"))


def node_problem() -> Optional[str]:
    """Why a real node cannot run here, or None."""
    if os.geteuid() != 0:
        return "a node needs root (mounts, cgroups, network namespaces)"
    missing = [name for name in OURS if not (TOOLCHAIN_BIN / name).exists()]
    if missing:
        modules = "kube-node runc cni pause coredns kube-router"
        return f"missing {', '.join(missing)} in {TOOLCHAIN_BIN} (run `bash toolchain/build.sh {modules}`)"
    absent = [name for name in SYSTEM if shutil.which(name) is None]
    if absent:
        return f"missing {', '.join(absent)} (apt-get install containerd iproute2 iptables nftables)"
    problem = kube_router.kube_router_problem(TOOLCHAIN_BIN / "kube-router")
    if problem is not None:
        return f"{problem}: the NetworkPolicy enforcer"
    if not (CGROUP_ROOT / "memory").is_dir() and not (CGROUP_ROOT / "cgroup.controllers").exists():
        return "no memory cgroup hierarchy (the kubelet needs cgroups)"
    return images_problem()


def require_node() -> None:
    wait_for_cluster_toolchain()
    problem = node_problem()
    if problem is None:
        return
    if engine_required():
        pytest.fail(f"{problem}; this run requires every tier (MOORINGS_REQUIRE_ENGINE=1 or CI=true), so no skip")
    pytest.skip(problem)


@dataclass
class KubernetesNode:
    """A node named `name` of `plane`; `subnet` is its pods' /24, on bridge `bridge`."""

    plane: ControlPlane
    dir: Path
    name: str = "moorings-node-0"
    runc: Path = TOOLCHAIN_BIN / "runc"
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _netns_seen: list[Path] = field(default_factory=list)
    registry: Optional[Registry] = None
    _tunables: dict[Path, str] = field(default_factory=dict)
    _chains_before: Optional[node_iptables.Snapshot] = None

    def __post_init__(self) -> None:
        tag = f"{os.getpid() % 4096:03x}"  # two sessions on one host must not share names
        self.bridge = f"mrn{tag}"
        prefix = f"10.{200 + os.getpid() % 50}.{os.getpid() % 250}"
        self.subnet = f"{prefix}.0/24"
        self.ip = f"{prefix}.1"  # the bridge's: the node's address (a loopback one is refused)
        self.cgroup_parent = f"moorings-node-{tag}"

    @property
    def socket(self) -> Path:
        return self.dir / "containerd.sock"

    # -- starting --------------------------------------------------------------------------

    def prepare(self) -> None:
        """The node's bridge and address, before the control plane: its API server listens there."""
        if not Path(f"/sys/class/net/{self.bridge}").exists():
            self._bridge()

    def start(self) -> None:
        self.prepare()
        self._containerd()
        self._wait("containerd", lambda: self.ctr("version", check=False).returncode == 0)
        self.import_archive(pause_archive(self.dir / "pause.tar"))
        self.import_archive(shell_archive(self.dir / "busybox.tar"))
        self.import_archive(binary_archive(self.dir / "coredns.tar", COREDNS_IMAGE, "coredns"))
        _make_cgroups(self.cgroup_parent)
        self._tunables = {path: path.read_text() for path in KERNEL_TUNABLES if path.exists()}
        self._chains_before = node_iptables.snapshot()
        self._kubelet()
        self._wait("kubelet", lambda: self.plane._node_ready(self.name))
        self._kube_proxy()
        self._apply("dns", dns_objects())
        self._enforcer()
        self.plane.kubectl("rollout", "status", "-n", "kube-system", "deployment/coredns", "--timeout=90s")

    def _enforcer(self) -> None:
        """kube-router's firewall on the host: NetworkPolicies as iptables chains and ipsets
        (any kernel with iptables and ipset; kube-network-policies would need nftables'
        `queue`, CONFIG_NFT_QUEUE, which this CI kernel refuses)."""
        self._spawn("kube-router", kube_router.kube_router_command(
            TOOLCHAIN_BIN / "kube-router", self.plane.kubeconfig, self.name, SERVICE_RANGE))
        self._wait("kube-router", kube_router.ready)

    def _apply(self, name: str, objects: list[dict]) -> None:
        path = self.dir / f"{name}.json"
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
        self.plane.kubectl("apply", "-f", str(path))

    def _spawn(self, name: str, command: list[str], env: Optional[dict[str, str]] = None) -> None:
        with open(self.dir / f"{name}.log", "wb") as log:
            self.processes[name] = subprocess.Popen(
                [*DIE_WITH_PARENT, *command], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, env=env,
            )

    def _wait(self, name: str, ready) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and self.processes[name].poll() is None:
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        ended = self.processes[name].poll()
        why = f"exited with code {ended}" if ended is not None else f"did not become ready within {STARTUP_TIMEOUT} s"
        raise RuntimeError(f"{name} {why}\n{self.log(name)[-4000:]}")

    def _containerd(self) -> None:
        cni = self.dir / "cni"
        cni.mkdir()
        (cni / "10-moorings.conflist").write_text(json.dumps(self._cni_config(), indent=1))
        self.registry = Registry(self.dir / "containerd-root" / "io.containerd.content.v1.content")
        self.registry.start()
        config = self.dir / "containerd.toml"
        config.write_text(_containerd_config(self.dir, self.runc, cni, self.registry.endpoint))
        # The shim finds runc by BinaryName; containerd finds the shim on PATH (Debian's).
        self._spawn("containerd", ["containerd", "--config", str(config)])

    def _cni_config(self) -> dict:
        return {"cniVersion": "1.0.0", "name": "moorings-pods", "plugins": [
            {"type": "bridge", "bridge": self.bridge, "isGateway": True, "ipMasq": False,
             "hairpinMode": True,
             # The default route (via the bridge) takes Service addresses to kube-proxy's rules.
             "ipam": {"type": "host-local", "ranges": [[{"subnet": self.subnet}]],
                      "routes": [{"dst": "0.0.0.0/0"}],
                      "dataDir": str(self.dir / "ipam")}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ]}

    def _bridge(self) -> None:
        """The pods' bridge, made before CNI would, so that the node has its address from the
        start: the kubelet serves logs, exec and port-forward on it."""
        ip("link", "add", self.bridge, "type", "bridge")
        ip("address", "add", f"{self.ip}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for rule in self._forward_rules():
            subprocess.run(["iptables", "-I", "FORWARD", "1", *rule], check=True, capture_output=True, timeout=30)

    def _forward_rules(self) -> list[list[str]]:
        """The host forwards for the Docker Engine with a FORWARD policy of DROP, and bridged
        frames pass iptables (br_netfilter): our bridge's traffic is let through, by rules
        named after it and removed at stop. NetworkPolicy verdicts come from nftables tables
        of their own, which an accept here does not override."""
        tag = ["-m", "comment", "--comment", f"moorings node {self.bridge}", "-j", "ACCEPT"]
        return [["-i", self.bridge, *tag], ["-o", self.bridge, *tag]]

    def _kubelet(self) -> None:
        config = {
            "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
            # This host has cgroup v1 only; the kubelet refuses it unless told.
            "failCgroupV1": False, "cgroupDriver": "cgroupfs",
            "cgroupRoot": f"/{self.cgroup_parent}",  # our pods' cgroups, removed at stop
            "containerRuntimeEndpoint": f"unix://{self.socket}",
            "address": self.ip, "port": free_port(), "readOnlyPort": 0,
            "healthzBindAddress": "127.0.0.1", "healthzPort": free_port(),
            # Anonymous on the node's bridge: the API server reaches logs, exec and port-forward
            # without a client certificate; only this host and its pods can connect.
            "authentication": {"anonymous": {"enabled": True}, "webhook": {"enabled": False}},
            "authorization": {"mode": "AlwaysAllow"},
            "clusterDNS": [DNS_IP], "clusterDomain": DOMAIN,
            "failSwapOn": False, "resolvConf": "/etc/resolv.conf",
            "oomScoreAdj": 0,  # -999 needs CAP_SYS_RESOURCE, which this host withholds
            "podLogsDir": str(self.dir / "pod-logs"),
            # A shared test host: its disks and memory are others' too, so no evictions.
            "evictionHard": {"memory.available": "0%", "nodefs.available": "0%", "imagefs.available": "0%"},
            "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
            "serializeImagePulls": False, "registerNode": True,
        }
        path = self.dir / "kubelet.json"
        path.write_text(json.dumps(config, indent=1))
        self._spawn("kubelet", [
            str(TOOLCHAIN_BIN / "kubelet"), "--config", str(path), "--kubeconfig", str(self.plane.kubeconfig),
            "--root-dir", str(self.dir / "kubelet"), "--hostname-override", self.name,
            "--node-ip", self.ip,
        ])

    def _kube_proxy(self) -> None:
        """Services' virtual IPs, in nftables (its tables `kube-proxy`, ip and ip6, removed at
        stop). The conntrack settings are left as they are: they are the host's, not ours."""
        healthz = f"127.0.0.1:{free_port()}"
        self._spawn("kube-proxy", [
            str(TOOLCHAIN_BIN / "kube-proxy"), "--kubeconfig", str(self.plane.kubeconfig),
            "--proxy-mode", "nftables", "--hostname-override", self.name, "--cluster-cidr", self.subnet,
            "--nodeport-addresses", "primary", "--conntrack-max-per-core", "0",
            "--conntrack-tcp-timeout-established", "0", "--conntrack-tcp-timeout-close-wait", "0",
            "--metrics-bind-address", f"127.0.0.1:{free_port()}", "--healthz-bind-address", healthz,
        ])
        self._wait("kube-proxy", lambda: _answers(f"http://{healthz}/healthz"))

    # -- using -----------------------------------------------------------------------------

    def ctr(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["ctr", "--address", str(self.socket), "--namespace", "k8s.io", *args],
                                capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"ctr {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def task_pid(self, container_id: str) -> int:
        """The host PID of a container's process, from containerd's list of tasks (TASK PID STATUS)."""
        for line in self.ctr("tasks", "list").stdout.splitlines()[1:]:
            task, pid = line.split()[:2]
            if task == container_id:
                return int(pid)
        raise AssertionError(f"no running task for container {container_id}")

    def import_archive(self, archive: Path) -> None:
        self.ctr("images", "import", str(archive))
        for line in self.ctr("images", "list").stdout.splitlines()[1:]:  # REF TYPE DIGEST ...
            ref, media_type, digest = line.split()[:3]
            if ref.startswith("docker.io/") and self.registry is not None:
                self.registry.tags[ref.removeprefix("docker.io/")] = (digest, media_type)

    def import_docker_image(self, name: str) -> None:
        """An image of this host's Docker Engine, read with `docker save` (never changed there)."""
        saved = self.dir / (name.replace("/", "_").replace(":", "_") + ".tar")
        subprocess.run(["docker", "save", "-o", str(saved), name], check=True, capture_output=True, timeout=600)
        try:
            self.import_archive(saved)
        finally:
            saved.unlink()

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- stopping --------------------------------------------------------------------------

    def stop(self) -> None:
        """The kubelet first (no new pods), then every pod's containers and sandbox, then
        containerd and the control plane; then whatever they left in the host."""
        self._end("kube-router")
        self._end("kube-proxy")
        for family in ("ip", "ip6"):
            subprocess.run(["nft", "delete", "table", family, "kube-proxy"], capture_output=True, timeout=30)
        self._end("kubelet")
        for path, value in self._tunables.items():
            path.write_text(value)
        if self._chains_before is not None:  # else the kubelet never started
            node_iptables.remove_added(self._chains_before)
        if "kube-router" in self.processes:
            kube_router.clean()
        netns = self._sandbox_netns()
        self._netns_seen += netns
        self._end_tasks()
        self._end("containerd")
        self._end_shims()
        # The API server listens on the bridge and talks to itself there while it shuts down
        # (10 s lost, then SIGKILL, if the address is gone first): it stops before the bridge.
        self.plane.stop()
        for path in netns:
            _unmount(path)
            path.unlink(missing_ok=True)
        subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True, timeout=30)
        for rule in self._forward_rules():
            while subprocess.run(["iptables", "-D", "FORWARD", *rule], capture_output=True, timeout=30).returncode == 0:
                pass
        for mount in _mounts_under(self.dir):
            _unmount(mount)
        _remove_cgroups(self.cgroup_parent)
        if self.registry is not None:
            self.registry.stop()
            self.registry = None

    def leftovers(self) -> list[str]:
        """What of this node is still in the host after stop(): should be nothing."""
        found = [f"process {name} ({p.pid})" for name, p in self.processes.items() if alive(p.pid)]
        found += [f"network namespace {path}" for path in self._netns_seen if path.exists()]
        if Path(f"/sys/class/net/{self.bridge}").exists():
            found.append(f"bridge {self.bridge}")
        found += [f"cgroup {h / self.cgroup_parent}" for h in CGROUP_ROOT.iterdir() if (h / self.cgroup_parent).exists()]
        found += [f"mount {m}" for m in _mounts_under(self.dir)]
        found += [f"sysctl {path} {path.read_text().strip()} (was {value.strip()})"
                  for path, value in self._tunables.items() if path.read_text() != value]
        if "kube-router" in self.processes:
            found += kube_router.leftovers()
        if self._chains_before is not None:
            found += [f"{family} {table} chain {name}" for (family, table), names
                      in node_iptables.added_since(self._chains_before).items() for name in sorted(names)]
        tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, timeout=30).stdout
        found += [f"nftables {line}" for line in tables.splitlines()
                  if line.endswith(" kube-proxy")]
        rules = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, timeout=30).stdout
        found += [f"iptables rule {line}" for line in rules.splitlines() if f"moorings node {self.bridge}" in line]
        return found

    def _end(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _containers(self) -> list[dict]:
        if self.processes.get("containerd") is None or self.processes["containerd"].poll() is not None:
            return []
        listed = self.ctr("containers", "list", "--quiet", check=False)
        found = []
        for cid in listed.stdout.split():
            info = self.ctr("containers", "info", cid, check=False)
            if info.returncode == 0:
                found.append(json.loads(info.stdout))
        return found

    def _sandbox_netns(self) -> list[Path]:
        """The network namespaces containerd made for pods (bind mounts under /run/netns)."""
        paths = set()
        for container in self._containers():
            for namespace in container.get("Spec", {}).get("linux", {}).get("namespaces", []):
                if namespace.get("type") == "network" and namespace.get("path", "").startswith(("/var/run/netns/", "/run/netns/")):
                    paths.add(Path(namespace["path"]))
        return sorted(paths)

    def _end_tasks(self) -> None:
        """Every container's process, killed: its shim then exits (containerd reaps it)."""
        for task in self.ctr("tasks", "list", "--quiet", check=False).stdout.split() if self._containers() else []:
            self.ctr("tasks", "kill", "--signal", "SIGKILL", "--all", task, check=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self._containers():
            running = self.ctr("tasks", "list", "--quiet", check=False).stdout.split()
            for task in running:
                self.ctr("tasks", "delete", "--force", task, check=False)
            for cid in self.ctr("containers", "list", "--quiet", check=False).stdout.split():
                self.ctr("containers", "delete", cid, check=False)
            time.sleep(0.5)

    def _end_shims(self) -> None:
        """A shim still alive after containerd: found by the address it was given (ours)."""
        ours = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    command = (entry / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if str(self.socket).encode() in command and alive(int(entry.name)):
                    ours.append(int(entry.name))
        end_pids(ours)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except urllib.error.HTTPError:
        return False


def _containerd_config(root: Path, runc: Path, cni: Path, registry: str) -> str:
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    return f"""version = 2
root = "{root / 'containerd-root'}"
state = "{root / 'containerd-state'}"
[grpc]
  address = "{root / 'containerd.sock'}"
[ttrpc]
  address = "{root / 'containerd.sock.ttrpc'}"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "{root / 'containerd-opt'}"
[{cri}]
  sandbox_image = "{PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # This host withholds CAP_SYS_RESOURCE even from root, so no process may lower its
  # oom_score_adj below 0; CRI asks -998 for every sandbox and runc's nsexec dies on the
  # EACCES ("can't get final child's PID from pipe: EOF" in runc 1.1). Restricted, the
  # scores are raised to containerd's own (0).
  restrict_oom_score_adj = true
  disable_apparmor = true
[{cri}.registry.mirrors."docker.io"]
  endpoint = ["{registry}"]  # tests/node_registry.py: what Always pulls ask
[{cri}.cni]
  bin_dir = "{TOOLCHAIN_BIN / 'cni'}"
  conf_dir = "{cni}"
[{cri}.containerd]
  default_runtime_name = "runc"
  snapshotter = "overlayfs"
[{cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[{cri}.containerd.runtimes.runc.options]
  BinaryName = "{runc}"
  Root = "{root / 'runc'}"  # runc's container state, beside ours (default: /run/containerd/runc)
  SystemdCgroup = false
"""


def _mounts_under(folder: Path) -> list[Path]:
    """Mount points at or below `folder`, deepest first (/proc/self/mountinfo, field 5)."""
    prefix = str(folder)
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            found.append(Path(point))
    return sorted(set(found), key=lambda p: len(p.parts), reverse=True)


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "--lazy", str(path)], capture_output=True, timeout=30)


def _make_cgroups(parent: str) -> None:
    """The kubelet's cgroupRoot must exist in every hierarchy; a new cpuset starts empty, so
    it is given its parent's CPUs and memory nodes."""
    for hierarchy in CGROUP_ROOT.iterdir():
        if (hierarchy / "cgroup.procs").exists():
            (hierarchy / parent).mkdir(exist_ok=True)
    cpuset = CGROUP_ROOT / "cpuset"
    for name in ("cpuset.cpus", "cpuset.mems"):
        if (cpuset / name).exists():
            (cpuset / parent / name).write_text((cpuset / name).read_text())


def _remove_cgroups(parent: str) -> None:
    """The node's cgroups in every hierarchy, deepest first (a cgroup goes when empty)."""
    for hierarchy in CGROUP_ROOT.iterdir():
        top = hierarchy / parent
        if top.is_dir():
            for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
                _rmdir(folder)
            _rmdir(top)


def _rmdir(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # still populated: a process we do not own, which we leave alone
        pass


@contextmanager
def running_node(plane_dir: Path, node_dir: Path) -> Iterator[KubernetesNode]:
    """A control plane of its own (no kwok node, so every pod lands here) and one real node,
    in two existing folders; stopped, and what it made in the host removed, on the way out
    (scripts/real_node.py runs the same by hand)."""
    plane = ControlPlane(plane_dir, fake_node=False)
    node = KubernetesNode(plane, node_dir)
    plane.address = node.ip
    try:
        node.prepare()
        plane.start()
        node.start()
        yield node
    finally:
        node.stop()
        plane.stop()


@pytest.fixture(scope="module")
def kubernetes_node(tmp_path_factory):
    """One node per test module: a module may stop its node (and check what is left) without
    taking it from another."""
    require_control_plane()
    require_node()
    with running_node(tmp_path_factory.mktemp("node-plane"), tmp_path_factory.mktemp("node")) as node:
        yield node
