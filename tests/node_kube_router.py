"""kube-router's network policy controller, the real node's NetworkPolicy enforcer on any kernel
with iptables and ipset (kube-network-policies needs nftables' `queue`): iptables chains in the
filter table, jumped to from INPUT, FORWARD and OUTPUT, and ipsets of the pods' addresses. Run
on the host with the node's kubeconfig, as kube-proxy is; only its firewall runs.

Its chains go with the node's other `KUBE-` chains (tests/node_iptables.py); its ipsets are
named by their prefixes, and removed by them at stop."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Optional

IPSET_PREFIXES = ("KUBE-SRC-", "KUBE-DST-", "kube-router-")


def kube_router_problem(binary: Path) -> Optional[str]:
    if not binary.exists():
        return f"missing {binary} (run `bash toolchain/build.sh kube-router`)"
    if shutil.which("ipset") is None:
        return "no ipset here (apt-get install ipset): kube-router keeps pod addresses in ipsets"
    return None


def kube_router_command(binary: Path, kubeconfig: Path, node: str, service_range: str) -> list[str]:
    return [
        str(binary), "--kubeconfig", str(kubeconfig), "--hostname-override", node,
        "--run-firewall=true", "--run-router=false", "--run-service-proxy=false",
        "--service-cluster-ip-range", service_range,
        "--health-port", "0", "--metrics-port", "0",  # nothing listening beyond loopback
        "--enable-ipv6=false",
    ]


def leftovers() -> list[str]:
    return [f"ipset {name}" for name in _ipsets()]


def clean() -> None:
    """Its ipsets, once its chains (which refer to them) are gone (tests/node_iptables.py)."""
    for name in _ipsets():
        _run("ipset", "destroy", name)


def _ipsets() -> list[str]:
    listed = _run("ipset", "list", "-n").stdout.split()
    return [name for name in listed if name.startswith(IPSET_PREFIXES)]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60)


def ready() -> bool:
    """Its top-level chains exist: the first thing its controller makes."""
    return ":KUBE-ROUTER-FORWARD" in _run("iptables-save", "-t", "filter").stdout
