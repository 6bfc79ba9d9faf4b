"""A private network for test hosts: one namespace per node, linked by veth pairs to a bridge
in a namespace of its own (the LAN, where the test's operator also runs). Nothing is added to
this machine's own network namespace: the bridge, the links and the addresses all live in the
namespaces made here, so the host's interfaces, routes and firewall stay as they were.

Processes are found by namespace (the inode of /proc/PID/ns/net) and ended by PID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

NETNS_DIR = Path("/run/netns")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


def netns_path(namespace: str) -> Path:
    return NETNS_DIR / namespace


def netns_inode(namespace: str) -> int:
    return os.stat(netns_path(namespace)).st_ino


def pids_in_netns(namespace: str) -> list[int]:
    """Every process whose network namespace is `namespace`."""
    try:
        inode = netns_inode(namespace)
    except FileNotFoundError:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.stat(entry / "ns" / "net").st_ino == inode:
                found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process under `pid`, also those in process groups or sessions of their own (the CLI
    starts its plugins so): from each process's parent in /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def end_pids(pids: list[int], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL whatever still runs after `grace` seconds."""
    for pid in pids:
        signal_pid(pid, signal.SIGTERM)
    kill_after(pids, grace)


def kill_after(pids: list[int], grace: float) -> None:
    """SIGKILL whatever of `pids` still runs after `grace` seconds."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        signal_pid(pid, signal.SIGKILL)


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class Lan:
    """The bridge namespace `<prefix>-lan` and the node namespaces `<prefix>-<node>`."""

    BRIDGE = "br0"

    def __init__(self, prefix: str, subnet_prefix: str = "198.18.0"):
        # 198.18.0.0/15 is reserved for network tests (RFC 2544); the Docker Engine's default
        # pools (172.17+/16, 10.0.0.0/8 for overlays, 192.168/16) never overlap it.
        self.prefix = prefix
        self.subnet_prefix = subnet_prefix
        self.namespace = f"{prefix}-lan"
        self.address = f"{subnet_prefix}.1"
        self.nodes: list[str] = []

    def create(self) -> None:
        ip("netns", "add", self.namespace)
        ip("-n", self.namespace, "link", "set", "lo", "up")
        ip("-n", self.namespace, "link", "add", self.BRIDGE, "type", "bridge")
        ip("-n", self.namespace, "addr", "add", f"{self.address}/24", "dev", self.BRIDGE)
        ip("-n", self.namespace, "link", "set", self.BRIDGE, "up")

    def add_node(self, name: str, host_number: int) -> str:
        """A namespace `<prefix>-<name>` on the bridge; returns its address."""
        namespace = f"{self.prefix}-{name}"
        address = f"{self.subnet_prefix}.{host_number}"
        ip("netns", "add", namespace)
        self.nodes.append(namespace)
        # Both ends are created inside the namespaces: no interface ever appears on the host.
        ip("link", "add", "eth0", "netns", namespace, "type", "veth", "peer", "name", name, "netns", self.namespace)
        ip("-n", self.namespace, "link", "set", name, "master", self.BRIDGE)
        ip("-n", self.namespace, "link", "set", name, "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", namespace, "link", "set", "eth0", "up")
        return address

    def remove(self) -> None:
        """End every process left in the namespaces, then delete them (idempotent)."""
        for namespace in [*self.nodes, self.namespace]:
            end_pids(pids_in_netns(namespace), grace=5)
            if netns_path(namespace).exists():
                subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


def in_netns(namespace: str, *command: str) -> list[str]:
    """`command` run in the network namespace only (mounts stay the host's, /sys included)."""
    return ["nsenter", f"--net={netns_path(namespace)}", *command]
