"""The operator's side of the test hosts: a key in an SSH agent of the test's own, and a machine
that knows the hosts' keys, which is what docs/operators/swarm.md asks of a user.

The operator's commands (the Pulumi CLI and, through it, the providers and `ssh`) run in the
LAN namespace, behind a mount of the test's directory on /etc/ssh that only they see: the
system-wide ssh_known_hosts lists the nodes, and ~/.ssh of this machine is never read or
written (UserKnownHostsFile /dev/null). `ip netns exec` gives each command a mount namespace
of its own, so the mount ends with the command.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Optional

from tests.netns_lab import end_pids
from tests.node_sshd import keygen


class SshOperator:
    def __init__(self, directory: Path, lan_namespace: str):
        self.dir = directory
        self.lan_namespace = lan_namespace
        self.key = directory / "id_ed25519"
        self.etc_ssh = directory / "etc-ssh"
        self.agent_socket = directory / "agent.sock"
        self.agent: Optional[subprocess.Popen] = None

    @property
    def public_key(self) -> Path:
        return self.key.with_suffix(".pub")

    def create_key(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        keygen(self.key)

    def start_agent(self) -> None:
        # -D: in the foreground, so this PID is the agent's and ends with it.
        self.agent = subprocess.Popen(
            ["ssh-agent", "-D", "-a", str(self.agent_socket)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.agent_socket.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("ssh-agent did not create its socket")
            time.sleep(0.1)
        subprocess.run(["ssh-add", "-q", str(self.key)], env=self.env(), check=True, capture_output=True, timeout=30)

    def know_hosts(self, lines: list[str]) -> None:
        self.etc_ssh.mkdir(parents=True, exist_ok=True)
        (self.etc_ssh / "ssh_known_hosts").write_text("".join(f"{line}\n" for line in lines))
        (self.etc_ssh / "ssh_config").write_text("Host *\n    UserKnownHostsFile /dev/null\n")

    def env(self) -> dict[str, str]:
        return {**os.environ, "SSH_AUTH_SOCK": str(self.agent_socket)}

    def launcher(self) -> list[str]:
        """The prefix that runs a command as the operator: in the LAN, with its /etc/ssh."""
        return [
            "ip", "netns", "exec", self.lan_namespace,
            "sh", "-c", 'mount --bind "$0" /etc/ssh && exec "$@"', str(self.etc_ssh),
        ]

    def ssh(self, address: str, command: str, user: str = "root") -> subprocess.CompletedProcess:
        """`ssh user@address command` as the operator, e.g. a user checking a node by hand."""
        return subprocess.run(
            [*self.launcher(), "ssh", "-o", "BatchMode=yes", f"{user}@{address}", command],
            env=self.env(), capture_output=True, text=True, timeout=120,
        )

    def stop(self) -> None:
        if self.agent is not None and self.agent.poll() is None:
            end_pids([self.agent.pid], grace=5)
            self.agent.wait(timeout=10)
