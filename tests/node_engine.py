"""A Docker Engine of a test node: its own dockerd in the node's network namespace, with its own
data root, exec root (which holds its managed containerd's state and socket), pid file, socket
and cgroup parent, so that nothing it does touches this machine's own engine.

dockerd runs in a mount and UTS namespace of its own (`unshare --mount --propagation slave`): the
overlay2 layers and network namespace files it mounts vanish with its processes instead of
landing in the host's mount table. /sys stays the host's, which holds the cgroup mounts the
engine needs (`ip netns exec` would remount /sys and hide them).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Optional, Sequence

from tests.netns_lab import alive, end_pids, in_netns, kill_after, signal_pid

CGROUP_ROOT = Path("/sys/fs/cgroup")
STORAGE_DRIVER = "overlay2"  # works on this ext4 root; vfs would copy every layer per container
READY_TIMEOUT = 60  # seconds until the engine must answer
ANSWER_TIMEOUT = 10  # seconds one `docker info` may take before it counts as no answer


class NodeEngine:
    def __init__(self, namespace: str, directory: Path, name: str, options: Sequence[str] = ()):
        """`options`: more dockerd flags."""
        self.namespace = namespace
        self.options = list(options)
        self.dir = directory
        self.name = name
        self.socket = directory / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.log = directory / "dockerd.log"
        self.cgroup_parent = f"/{namespace}"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        command = in_netns(
            self.namespace,
            "unshare", "--mount", "--uts", "--propagation", "slave",
            # Its own host name, as `docker node ls` shows it (the UTS namespace is the engine's only).
            "sh", "-c", 'hostname "$0" && exec "$@"', self.name,
            "dockerd",
            "--data-root", str(self.dir / "data"),
            "--exec-root", str(self.dir / "exec"),
            "--pidfile", str(self.dir / "dockerd.pid"),
            "--host", self.host,
            "--storage-driver", STORAGE_DRIVER,
            "--cgroup-parent", self.cgroup_parent,
            *self.options,
        )
        with open(self.log, "ab") as log:
            # nsenter, unshare and sh exec into dockerd: this PID is the engine's.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def docker(self, *args: str, stdin: Optional[str] = None, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker", "--host", self.host, *args], input=stdin, capture_output=True, text=True, timeout=timeout
        )

    def answers(self) -> bool:
        # A restarted swarm manager can hold `docker info` while it rejoins Raft: not ready yet.
        try:
            info = self.docker("info", "--format", "{{.Driver}}", timeout=ANSWER_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False
        return info.stdout.strip() == STORAGE_DRIVER

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.answers():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"dockerd of {self.name} exited {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"dockerd of {self.name} did not answer within {READY_TIMEOUT} s:\n{self.log_tail()}")
            time.sleep(0.5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM the engine: it stops its containers and its containerd, then exits."""
        if self.process is not None and self.process.poll() is None:
            signal_pid(self.process.pid, signal.SIGTERM)

    def wait_stopped(self, grace: float = 60) -> None:
        """Wait for the engine to exit after `stop`, SIGKILL it after `grace` seconds."""
        if self.process is not None:
            kill_after([self.process.pid], grace)
            self.process.wait(timeout=30)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None and alive(self.process.pid)

    def end_leftover_containers(self) -> None:
        """Whatever still runs in the engine's cgroup parent (its containers), ended by PID,
        and the cgroups removed: the backstop for an engine that died without stopping them."""
        for controller in sorted(CGROUP_ROOT.iterdir()):
            parent = controller / self.cgroup_parent.lstrip("/")
            if not parent.is_dir():
                continue
            pids = [int(pid) for procs in parent.rglob("cgroup.procs") for pid in procs.read_text().split()]
            end_pids(pids, grace=5)
            for cgroup in sorted((p for p in parent.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                cgroup.rmdir()
            parent.rmdir()
