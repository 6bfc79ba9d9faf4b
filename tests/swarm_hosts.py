"""Three hosts on this machine for the recipe's cluster: each a network namespace with its own
Docker Engine and sshd, on a private LAN (tests/netns_lab.py), reached by an operator with a
key in its SSH agent (tests/ssh_operator.py). `three_hosts()` builds them and always takes
everything down again by PID and by namespace, leaving this machine's own engine, network and
~/.ssh as they were. The host engine lends only images (`docker save | docker load`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from tests.netns_lab import NETNS_DIR, Lan, alive, end_pids, in_netns, pids_in_netns
from tests.node_engine import NodeEngine
from tests.node_sshd import PRIVSEP_DIR, NodeSshd
from tests.ssh_operator import SshOperator

NODE_NAMES = ("node1", "node2", "node3")
PREFIX = "msw"  # then the PID of the test process: msw1234-lan, msw1234-node1, ...
STALE = re.compile(rf"^({PREFIX}(\d+))-")
TOOLS = ("ip", "nsenter", "unshare", "dockerd", "docker", "ssh", "ssh-agent", "ssh-add", "ssh-keygen", "busybox")


def prerequisites_problem() -> Optional[str]:
    """Why the three hosts cannot be built here, or None."""
    if os.geteuid() != 0:
        return "building network namespaces and engines needs root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not Path("/usr/sbin/sshd").exists():
        missing.append("/usr/sbin/sshd (apt-get install openssh-server)")
    if missing:
        return f"missing {', '.join(missing)} (.ci/run installs them)"
    return None


@dataclass
class Host:
    name: str
    namespace: str
    address: str
    engine: NodeEngine
    sshd: NodeSshd

    def docker(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return self.engine.docker(*args, **kwargs)

    def run(self, *command: str, timeout: int = 60) -> subprocess.CompletedProcess:
        """A command in the node's network namespace (e.g. busybox wget to a published port)."""
        return subprocess.run(in_netns(self.namespace, *command), capture_output=True, text=True, timeout=timeout)


@dataclass
class SwarmHosts:
    lan: Lan
    operator: SshOperator
    hosts: list[Host] = field(default_factory=list)
    build_seconds: float = 0.0

    def by_address(self, address: str) -> Host:
        return next(host for host in self.hosts if host.address == address)


@contextmanager
def three_hosts(images: tuple[str, ...] = ()) -> Iterator[SwarmHosts]:
    """The three hosts with `images` loaded on each; torn down on exit, whatever happened."""
    sweep_stale_hosts()
    started = time.monotonic()
    prefix = f"{PREFIX}{os.getpid()}"  # namespace names of this run only
    root = Path(tempfile.mkdtemp(prefix=f"moorings-swarm-hosts-{prefix}-", dir="/tmp"))
    lan = Lan(prefix)
    operator = SshOperator(root / "operator", lan.namespace)
    lab = SwarmHosts(lan=lan, operator=operator)
    made_privsep_dir = not PRIVSEP_DIR.exists()
    stopping = time.monotonic()
    try:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        lan.create()
        operator.create_key()
        for number, name in enumerate(NODE_NAMES, start=11):
            address = lan.add_node(name, number)
            namespace = f"{prefix}-{name}"
            engine = NodeEngine(namespace, root / name / "engine", name)
            sshd = NodeSshd(namespace, root / name / "sshd", address, engine.host, operator.public_key)
            lab.hosts.append(Host(name, namespace, address, engine, sshd))
            engine.start()  # the engines start side by side; the wait comes below
        for host in lab.hosts:
            host.engine.wait_until_ready()
            host.sshd.start()
            load_images(images, host.engine)
        operator.know_hosts([host.sshd.known_hosts_line() for host in lab.hosts])
        operator.start_agent()
        lab.build_seconds = time.monotonic() - started
        yield lab
    finally:
        stopping = time.monotonic()
        for host in lab.hosts:  # side by side: an engine in a swarm takes a while to stop
            host.sshd.stop()
            host.engine.stop()
        for host in lab.hosts:
            host.engine.wait_stopped()
            host.engine.end_leftover_containers()
        operator.stop()
        lan.remove()
        if made_privsep_dir:
            PRIVSEP_DIR.rmdir()
        unmount_under(root)
        shutil.rmtree(root, ignore_errors=True)
        print(f"\nthree hosts: taken down in {time.monotonic() - stopping:.1f} s")


def load_images(images: tuple[str, ...], engine: NodeEngine) -> None:
    """`docker save | docker load`: the host engine's images onto a node, no registry."""
    if not images:
        return
    save = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)
    load = subprocess.run(
        ["docker", "--host", engine.host, "load", "--quiet"], stdin=save.stdout, capture_output=True, timeout=300
    )
    save.stdout.close()
    if save.wait(timeout=300) != 0 or load.returncode != 0:
        raise RuntimeError(f"docker save | load onto {engine.name} failed: {load.stderr.decode(errors='replace')}")


def unmount_under(root: Path) -> None:
    """Mounts under `root` in this mount namespace (none are expected: the engines mount in
    their own), removed before the directory is."""
    prefix = f"{root}/"
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for mount_point in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount_point], capture_output=True, timeout=30)


def sweep_stale_hosts() -> None:
    """What a test process killed before its teardown left (namespaces named after a PID that
    no longer runs): the processes in them, their engines' containers, the namespaces and the
    directory. Hosts of a test process that still runs are left alone."""
    stale: dict[str, list[str]] = {}
    for namespace in sorted(p.name for p in NETNS_DIR.glob(f"{PREFIX}*")) if NETNS_DIR.is_dir() else []:
        match = STALE.match(namespace)
        if match and not alive(int(match.group(2))):
            stale.setdefault(match.group(1), []).append(namespace)
    for prefix, namespaces in stale.items():
        for namespace in namespaces:
            end_pids(pids_in_netns(namespace), grace=10)
            NodeEngine(namespace, Path("/nonexistent"), namespace).end_leftover_containers()
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)
        for directory in Path("/tmp").glob(f"moorings-swarm-hosts-{prefix}-*"):
            end_pids(pids_naming(directory), grace=5)  # the ssh-agent, outside the namespaces
            unmount_under(directory)
            shutil.rmtree(directory, ignore_errors=True)


def pids_naming(directory: Path) -> list[int]:
    """Processes whose command line names a path under `directory`."""
    needle = f"{directory}/".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found
