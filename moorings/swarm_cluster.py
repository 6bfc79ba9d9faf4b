"""SwarmCluster: a Docker Swarm formed by scripts run on its nodes, and a provider for it.

Each node is one command resource named after its address, whose create step brings the
node into the swarm and whose delete step takes it out: the first manager runs init.sh
(delete: dissolve.sh), every other host runs join.sh with the join token for its role
(delete: leave.sh), so a host removed from the configuration leaves on the next `up`: the
first manager drains it before (drain_node.sh) and removes it from the node list after
(remove_node.sh), two delete-only commands per host.
The scripts (moorings/swarm_scripts/) check the node's swarm state first, so running
them again changes nothing. Join tokens are read on the first manager as Pulumi secrets.

Mode `local` is a single-node swarm on this machine's engine (on `docker_host`: the default
socket, or rootless Docker's, say), driven by local commands; mode `ssh` drives the hosts over
SSH (the SSH agent authenticates, as for `ssh` itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_command as command
import pulumi_docker as docker

from moorings.swarm_quorum import manager_count_problem
from moorings.swarm_shell import SCRIPTS, NodeShell, run, script_command

__all__ = ["SCRIPTS", "SwarmCluster", "SwarmClusterArgs", "SwarmHost", "script_command"]

LOCAL = "local"
SSH = "ssh"
MODES = (LOCAL, SSH)
MANAGER = "manager"
WORKER = "worker"
ROLES = (MANAGER, WORKER)

LOCAL_DOCKER_HOST = "unix:///var/run/docker.sock"
LOCAL_ADVERTISE_ADDR = "127.0.0.1"  # a single node: nothing else needs to reach it
SWARM_PORT = 2377  # where managers listen for joining nodes


@dataclass(frozen=True)
class SwarmHost:
    """One machine of an ssh-mode swarm."""

    address: str
    """IP address: SSH connects to it, the node advertises itself on it."""
    user: str
    """SSH user, allowed to run `docker` on the host."""
    role: str
    """manager or worker."""
    host_key: Optional[str] = None
    """The host's public SSH key (`<type> <base64>`): the remote commands accept no other.
    Without it they accept any, since pulumi-command checks a host key only when given one."""


@dataclass(frozen=True)
class SwarmClusterArgs:
    owner: str
    """Marks a swarm this component created (a node label), so destroy only dissolves its own."""
    mode: str = LOCAL
    """local (one node, the local engine) or ssh (`hosts`)."""
    hosts: Sequence[SwarmHost] = ()
    """ssh mode: the first manager initialises the swarm, the others join it."""
    docker_host: str = LOCAL_DOCKER_HOST
    """local mode: this machine's engine as `docker -H` takes it (`unix:///run/user/1000/docker.sock`
    for rootless Docker, say)."""


class SwarmCluster(pulumi.ComponentResource):
    provider: docker.Provider
    """Docker provider pointed at the first manager; declare swarm resources with it."""
    docker_host: str
    """Where that provider connects: the local socket, or ssh://user@address."""
    public_host: str
    """A host name that reaches the swarm's published ports (any node does, via the ingress)."""
    join_address: str
    """address:port that nodes join through."""
    manager_node_id: pulumi.Output[str]
    """Swarm node ID of the first manager (the node that initialised the swarm)."""
    worker_token: pulumi.Output[str]
    """Secret: joins a node as a worker."""
    manager_token: pulumi.Output[str]
    """Secret: joins a node as a manager."""
    manager_shell: NodeShell
    """Where a script reaches the first manager's `docker` (e.g. a SwarmService's drain)."""

    def __init__(self, name: str, args: SwarmClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        nodes = _nodes(name, args)
        # The managers are the component's inputs so that the policy pack can check the count.
        inputs = {"mode": args.mode, "managers": [node.address for node in nodes if node.role == MANAGER]}
        super().__init__("moorings:index:SwarmCluster", name, inputs, opts)
        first, others = nodes[0], nodes[1:]
        self.join_address = f"{_bracketed(first.address)}:{SWARM_PORT}"

        init = self._run(
            first,
            f"{name}-node-{first.label}",
            create=script_command("init.sh", first.address, args.owner),
            delete=script_command("dissolve.sh", args.owner),
        )
        self.manager_node_id = init.stdout
        tokens = {}
        for role in ROLES:
            read = self._run(
                first, f"{name}-{role}-token", create=script_command("tokens.sh", role), secret_output=True, after=[init]
            )
            tokens[role] = pulumi.Output.secret(read.stdout)
        self.worker_token, self.manager_token = tokens[WORKER], tokens[MANAGER]
        joined, drains = [], []
        for node in others:
            # Taking a host out runs, in this order (deletion follows dependencies backwards):
            # drain it on the first manager, leave on the host, remove it from the node list.
            removal = self._run(
                first, f"{name}-remove-{node.label}", delete=script_command("remove_node.sh", node.address), after=[init]
            )
            join = self._run(
                node,
                f"{name}-node-{node.label}",
                create=script_command("join.sh", self.join_address, node.role, node.address),
                delete=script_command("leave.sh"),
                stdin=tokens[node.role],
                after=[removal],
            )
            drain = self._run(
                first,
                f"{name}-drain-{node.label}",
                delete=join.stdout.apply(lambda node_id: script_command("drain_node.sh", node_id.strip())),
            )
            joined.append(join)
            drains.append(drain)

        self.docker_host = first.docker_host
        self.manager_shell = first.shell
        self.public_host = "localhost" if args.mode == LOCAL else first.address
        self.provider = docker.Provider(
            name,  # child names carry the component's: URNs do not include the parent's name
            host=self.docker_host,
            ssh_opts=None if args.mode == LOCAL else ["-o", "BatchMode=yes"],  # fail, never prompt
            # Swarm resources wait until every node is in, and go before any node is drained.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[init, *joined, *drains]),
        )
        self.register_outputs(
            {
                "dockerHost": self.docker_host,
                "joinAddress": self.join_address,
                "managerNodeId": self.manager_node_id,
                "workerToken": self.worker_token,
                "managerToken": self.manager_token,
            }
        )

    def _run(
        self,
        node: "_Node",
        name: str,
        create: Optional[str] = None,
        delete: Optional[pulumi.Input[str]] = None,
        stdin: Optional[pulumi.Input[str]] = None,
        secret_output: bool = False,
        after: Sequence[pulumi.Resource] = (),
    ) -> command.local.Command | command.remote.Command:
        """One script run on `node`: a local command in local mode, over SSH in ssh mode."""
        opts = pulumi.ResourceOptions(
            parent=self,
            depends_on=list(after),
            additional_secret_outputs=["stdout"] if secret_output else None,
        )
        return run(node.shell, name, opts, create=create, delete=delete, stdin=stdin, secret_output=secret_output)


@dataclass(frozen=True)
class _Node:
    address: str
    role: str
    label: str
    """Part of the node's resource names: stable while the host stays in the configuration."""
    shell: NodeShell

    @property
    def docker_host(self) -> str:
        """The node's engine as the provider and `docker -H` take it (set on every node's shell)."""
        assert self.shell.docker_host is not None
        return self.shell.docker_host


def _nodes(name: str, args: SwarmClusterArgs) -> list[_Node]:
    """The nodes, the first manager first."""
    if args.mode not in MODES:
        raise ValueError(f"SwarmCluster {name}: mode {args.mode!r} is not one of {', '.join(MODES)}")
    if args.mode == LOCAL:
        if args.hosts:
            raise ValueError(f"SwarmCluster {name}: hosts are for mode ssh; mode local is this machine alone")
        local = NodeShell(environment={"DOCKER_HOST": args.docker_host}, docker_host=args.docker_host)
        return [_Node(LOCAL_ADVERTISE_ADDR, MANAGER, LOCAL, local)]
    if args.docker_host != LOCAL_DOCKER_HOST:
        raise ValueError(f"SwarmCluster {name}: docker_host is for mode local; mode ssh reaches each host's engine over SSH")
    problem = manager_count_problem(sum(1 for host in args.hosts if host.role == MANAGER))
    if problem:
        raise ValueError(f"SwarmCluster {name}: expected {problem}")
    unverified = [host.address for host in args.hosts if host.host_key is None]
    if unverified:
        # The join tokens travel to these hosts over SSH: say so rather than trust silently.
        pulumi.log.warn(
            f"SwarmCluster {name}: no hostKey for {', '.join(unverified)}; the remote commands "
            "(init, join tokens, join, leave) accept whatever host key answers there. "
            "Set swarm.hosts[i].hostKey (docs/operators/swarm.md)."
        )
    first = next(host for host in args.hosts if host.role == MANAGER)
    ordered = [first, *(host for host in args.hosts if host is not first)]
    return [
        _Node(
            address=host.address,
            role=host.role,
            label=host.address.replace(":", "-"),  # IPv6: "::" separates the parts of a URN
            shell=NodeShell(
                ssh=command.remote.ConnectionArgs(host=host.address, user=host.user, host_key=host.host_key),
                docker_host=f"ssh://{host.user}@{_bracketed(host.address)}",
            ),
        )
        for host in ordered
    ]


def _bracketed(address: str) -> str:
    """An address ready to take a :port (IPv6 goes in brackets)."""
    return f"[{address}]" if ":" in address else address
