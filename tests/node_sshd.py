"""The SSH server of a test node: Debian's sshd in the node's network namespace, listening on
the node's address, with a host key of its own and the test's public key as the only
authorised one. A login on the node reaches the node's own engine, as on a real host:
sshd sets DOCKER_HOST to that engine's socket for every session (SetEnv).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Optional

from tests.netns_lab import end_pids, in_netns

SSHD = "/usr/sbin/sshd"  # sshd must be started by its absolute path
PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start without it; Debian's unit creates it


def keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)


class NodeSshd:
    def __init__(self, namespace: str, directory: Path, address: str, docker_host: str, authorized_key: Path):
        self.namespace = namespace
        self.dir = directory
        self.address = address
        self.host_key = directory / "host_key"
        self.config = directory / "sshd_config"
        self.pid_file = directory / "sshd.pid"
        self.log = directory / "sshd.log"
        self.docker_host = docker_host
        self.authorized_key = authorized_key

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        keygen(self.host_key)
        self.config.write_text(
            "\n".join(
                [
                    f"ListenAddress {self.address}",
                    f"HostKey {self.host_key}",
                    f"PidFile {self.pid_file}",
                    f"AuthorizedKeysFile {self.authorized_key}",
                    "StrictModes no",  # the key file lives under /tmp, which is world-writable
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    f"SetEnv DOCKER_HOST={self.docker_host}",
                ]
            )
            + "\n"
        )
        # sshd forks into the background once it listens; the pid file names the listener.
        subprocess.run(
            in_netns(self.namespace, SSHD, "-f", str(self.config), "-E", str(self.log)),
            check=True, capture_output=True, text=True, timeout=30,
        )
        deadline = time.monotonic() + 10
        while not self.pid_file.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd of {self.address} wrote no pid file:\n{self.log.read_text()}")
            time.sleep(0.1)

    def known_hosts_line(self) -> str:
        key_type, key = self.host_key.with_suffix(".pub").read_text().split()[:2]
        return f"{self.address} {key_type} {key}"

    def pid(self) -> Optional[int]:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            end_pids([pid], grace=5)
