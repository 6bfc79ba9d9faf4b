"""Where the swarm's scripts run: a shell on one node, local or over SSH.

A `NodeShell` says how to reach a node's `docker` CLI: this machine's with DOCKER_HOST set
(mode local), or the node's own over SSH (mode ssh). `run` declares one command resource
there; `script_command` turns a script of swarm_scripts/ into the command line it runs.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

import pulumi
import pulumi_command as command

SCRIPTS = Path(__file__).parent / "swarm_scripts"


@dataclass(frozen=True)
class NodeShell:
    environment: Mapping[str, str] = field(default_factory=dict)
    """Local commands only: e.g. DOCKER_HOST for the local engine."""
    ssh: Optional[command.remote.ConnectionArgs] = None
    """The node's SSH connection; None runs the commands on this machine."""
    docker_host: Optional[str] = None
    """The node's engine as `docker -H` takes it (what the provider talks to): the hooks that free
    the names an interrupted `up` left look there (engine_names). None: DOCKER_HOST's."""


def script_command(script: str, *args: str) -> str:
    """A command line that runs swarm_scripts/<script> with `args` in any POSIX login shell.

    The script's text travels in the command itself, so nothing needs copying to a host,
    and a changed script shows in the preview's diff.
    """
    return file_command(SCRIPTS / script, *args)


def file_command(path: Path, *args: str) -> str:
    """script_command for a script anywhere (the database scripts of db_rotation, say)."""
    return " ".join(["sh", "-c", shlex.quote(path.read_text()), path.name, *(shlex.quote(arg) for arg in args)])


def stdin_script_command(script: str, *args: str) -> tuple[str, str]:
    """A short command line that runs swarm_scripts/<script>, read from stdin, with `args`; and
    that stdin. A preview then shows a change of `args` as a one-line diff (script_command's
    lines carry the whole script). The script must not read stdin itself."""
    return " ".join(["sh", "-s", "--", *(shlex.quote(arg) for arg in args)]), (SCRIPTS / script).read_text()


def run(
    shell: NodeShell,
    name: str,
    opts: pulumi.ResourceOptions,
    create: Optional[pulumi.Input[str]] = None,
    update: Optional[pulumi.Input[str]] = None,
    delete: Optional[pulumi.Input[str]] = None,
    stdin: Optional[pulumi.Input[str]] = None,
    secret_output: bool = False,
    triggers: Optional[list] = None,
) -> command.local.Command | command.remote.Command:
    """One command on the node: a local command, or a remote one over SSH. With `update`, a
    change of `triggers` runs it in place; without, it replaces the command (create again)."""
    common = dict(create=create, update=update, delete=delete, stdin=stdin, triggers=triggers, opts=opts)
    if shell.ssh is None:
        logging = command.local.Logging.NONE if secret_output else None
        return command.local.Command(name, environment=dict(shell.environment) or None, logging=logging, **common)
    logging = command.remote.Logging.NONE if secret_output else None
    return command.remote.Command(name, connection=shell.ssh, logging=logging, **common)
