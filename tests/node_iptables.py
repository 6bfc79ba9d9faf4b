"""The iptables chains the real node's components add to the host (the kubelet's
KUBE-IPTABLES-HINT, KUBE-KUBELET-CANARY and KUBE-FIREWALL, kube-router's KUBE-ROUTER-* and
policy chains): every `KUBE-` chain that was not there before the node started is the node's,
and is removed at stop with the rules that jump to it, in IPv4 and IPv6 alike."""

from __future__ import annotations

import shlex
import subprocess

PREFIX = "KUBE-"
TABLES = ("filter", "nat", "mangle", "raw")
FAMILIES = ("iptables", "ip6tables")

Snapshot = dict[tuple[str, str], set[str]]


def snapshot() -> Snapshot:
    """The `KUBE-` chains of every family and table now."""
    return {(family, table): _chains(_save(family, table)) for family in FAMILIES for table in TABLES}


def added_since(before: Snapshot) -> Snapshot:
    return {key: names - before.get(key, set()) for key, names in snapshot().items() if names - before.get(key, set())}


def remove_added(before: Snapshot) -> None:
    """Jumps into the new chains first, then the chains (flushed first: they jump to each other)."""
    for (family, table), names in added_since(before).items():
        for line in _save(family, table).splitlines():
            words = shlex.split(line) if line.startswith("-A ") else []
            if words and words[1] not in names and any(w in names for w in words[2:]):
                _run(family, "-t", table, "-D", *words[1:])
        for name in names:
            _run(family, "-t", table, "-F", name)
        for name in names:
            _run(family, "-t", table, "-X", name)


def _chains(saved: str) -> set[str]:
    return {line[1:].split()[0] for line in saved.splitlines() if line.startswith(":" + PREFIX)}


def _save(family: str, table: str) -> str:
    return _run(f"{family}-save", "-t", table).stdout


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60)
