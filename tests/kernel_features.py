"""Kernel features that Swarm networking needs beyond what the engine checks at start:
IPVS (the routing mesh and every service's virtual IP) and IPsec ESP with AES-GCM (the
encrypted overlay between nodes). Without them the engine still starts and schedules tasks,
and only the traffic fails, so the tests that depend on them ask first.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Optional

from tests.netns_lab import in_netns


def ipvs_problem() -> Optional[str]:
    if not Path("/proc/net/ip_vs").exists() and shutil.which("modprobe"):
        subprocess.run(["modprobe", "-q", "ip_vs"], capture_output=True, timeout=30)  # as dockerd would
    if Path("/proc/net/ip_vs").exists():
        return None
    return (
        "this kernel has no IPVS (no /proc/net/ip_vs, CONFIG_IP_VS): Swarm's routing mesh and "
        "service virtual IPs cannot carry traffic"
    )


def esp_problem(namespace: str) -> Optional[str]:
    """Whether the kernel takes the IPsec state an encrypted overlay installs between two nodes
    (ESP, transport mode, rfc4106(gcm(aes))), tried in `namespace`, a test namespace."""
    state = ["ip", "xfrm", "state"]
    selector = ["src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x100"]
    added = subprocess.run(
        in_netns(namespace, *state, "add", *selector, "mode", "transport",
                 "aead", "rfc4106(gcm(aes))", "0x" + "11" * 20, "64"),
        capture_output=True, text=True, timeout=30,
    )
    if added.returncode == 0:
        subprocess.run(in_netns(namespace, *state, "delete", *selector), capture_output=True, timeout=30)
        return None
    return (
        "this kernel refuses the IPsec state of an encrypted overlay (`ip xfrm state add ... proto esp "
        f"aead rfc4106(gcm(aes))`: {added.stderr.strip()}; CONFIG_INET_ESP, CONFIG_CRYPTO_GCM): "
        "traffic between nodes on an encrypted overlay is dropped"
    )
