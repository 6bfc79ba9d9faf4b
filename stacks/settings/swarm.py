"""Platform swarm settings (`swarm.*`): where the swarm runs and which hosts make it up.

`swarm.mode` is `local` (a single-node swarm on the local Docker Engine, the default) or
`ssh` (the hosts of `swarm.hosts`, reached over SSH). `swarm.dockerHost` names the local engine's
socket when it is not the default one (rootless Docker's, say). The manager count is checked here, so
an even count stops the program before anything runs.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Optional

from moorings.swarm_cluster import LOCAL, LOCAL_DOCKER_HOST, MANAGER, MODES, ROLES, SwarmHost
from moorings.swarm_quorum import manager_count_problem
from moorings.wordpress_builders.swarm_options import DEFAULT_EDGE_IMAGE, MESH, ROUTINGS
from stacks.settings.images import pinned_image_problem
from stacks.settings.reader import ConfigReader

HOST_FIELDS = ("address", "user", "role")
OPTIONAL_HOST_FIELDS = ("hostKey",)
SSH_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True)
class SwarmSettings:
    mode: str = LOCAL
    """local (single node on this machine's engine) or ssh (the hosts below)."""
    hosts: tuple[SwarmHost, ...] = ()
    """ssh mode only, in order: the first manager initialises the swarm."""
    routing: str = MESH
    """mesh (Swarm's routing mesh; the kernel needs IPVS) or edge (HAProxy per node; no IPVS)."""
    edge_image: str = DEFAULT_EDGE_IMAGE
    """routing edge: the pinned HAProxy image."""
    docker_host: str = LOCAL_DOCKER_HOST
    """local mode: the engine's socket, `unix:///...`."""


def read_swarm(reader: ConfigReader) -> SwarmSettings:
    mode = reader.string("swarm.mode", LOCAL, choices=MODES)
    routing = {
        "routing": reader.string("swarm.routing", MESH, choices=ROUTINGS),
        "edge_image": reader.string("swarm.edgeImage", DEFAULT_EDGE_IMAGE, check=pinned_image_problem),
    }
    raw_hosts = reader.sequence("swarm.hosts")
    docker_host = reader.string("swarm.dockerHost", LOCAL_DOCKER_HOST, check=_local_socket_problem)
    if mode == LOCAL:
        if raw_hosts:
            reader.fail("swarm.hosts", raw_hosts, "no hosts with swarm.mode local (set swarm.mode to ssh to use them)")
        return SwarmSettings(mode=mode, docker_host=docker_host, **routing)
    if docker_host != LOCAL_DOCKER_HOST:
        reader.fail(
            "swarm.dockerHost", docker_host, "no dockerHost with swarm.mode ssh (each host's engine is reached over SSH)"
        )
    if not raw_hosts:
        reader.fail(
            "swarm.hosts",
            raw_hosts,
            "at least one host {address, user, role} with swarm.mode ssh "
            "(e.g. pulumi config set --path 'swarm.hosts[0].address' 10.0.0.11)",
        )
        return SwarmSettings(mode=mode, **routing)
    read = {index: host for index, item in enumerate(raw_hosts) if (host := _read_host(reader, index, item))}
    _check_unique_addresses(reader, read)
    if len(read) == len(raw_hosts):  # a broken entry already has its own message
        problem = manager_count_problem(sum(1 for host in read.values() if host.role == MANAGER))
        if problem:
            reader.fail("swarm.hosts", raw_hosts, problem)
    return SwarmSettings(mode=mode, hosts=tuple(read.values()), **routing)


def _read_host(reader: ConfigReader, index: int, item: Any) -> Optional[SwarmHost]:
    at = f"swarm.hosts[{index}]"
    if not isinstance(item, dict) or any(field not in item for field in HOST_FIELDS):
        reader.fail(at, item, "an object with address, user and role (manager or worker)")
        return None
    for key in sorted(set(item) - set(HOST_FIELDS) - set(OPTIONAL_HOST_FIELDS)):
        reader.fail(f"{at}.{key}", item[key], "one of the host fields " + ", ".join(HOST_FIELDS + OPTIONAL_HOST_FIELDS))
    problems = len(reader.problems)
    address = reader.parse_string(f"{at}.address", item["address"], "", check=_ip_address_problem)
    user = reader.parse_string(
        f"{at}.user", item["user"], "", check=lambda u: None if SSH_USER.match(u) else "a user name to log in with over SSH"
    )
    role = reader.parse_string(f"{at}.role", item["role"], "", choices=ROLES)
    host_key = None
    if "hostKey" in item:
        host_key = reader.parse_string(f"{at}.hostKey", item["hostKey"], "", check=_host_key_problem)
    if len(reader.problems) > problems:
        return None
    return SwarmHost(address=address, user=user, role=role, host_key=host_key)


def _host_key_problem(value: str) -> Optional[str]:
    """A public host key as a known_hosts line has it, without the host: `<type> <base64>`."""
    expected = (
        "the host's public key, `<type> <base64>` as in its /etc/ssh/ssh_host_*_key.pub "
        "(e.g. the output of `ssh-keyscan -t ed25519 <address>` without the address)"
    )
    fields = value.split()
    if len(fields) < 2 or not fields[0].startswith(("ssh-", "ecdsa-", "sk-")):
        return expected
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except binascii.Error:
        return expected
    # The key blob starts with its own type name (RFC 4253, 6.6): a key pasted whole.
    return None if blob[4 : 4 + len(fields[0])] == fields[0].encode() else expected


def _local_socket_problem(value: str) -> Optional[str]:
    """This machine's engine, as `docker -H` takes it: a Unix socket by its absolute path."""
    path = value[len("unix://"):] if value.startswith("unix://") else ""
    if path.startswith("/") and len(path) > 1:
        return None
    return "the local engine's socket as unix:///absolute/path (e.g. unix:///run/user/1000/docker.sock for rootless Docker)"


def _ip_address_problem(value: str) -> Optional[str]:
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        # `docker swarm init/join --advertise-addr` takes an IP address, not a host name.
        return "an IP address (the node advertises itself on it; swarm does not accept host names there)"


def _check_unique_addresses(reader: ConfigReader, hosts: dict[int, SwarmHost]) -> None:
    seen: set[str] = set()
    for index, host in hosts.items():
        if host.address in seen:
            reader.fail(f"swarm.hosts[{index}].address", host.address, "each address once (one swarm node per host)")
        seen.add(host.address)
