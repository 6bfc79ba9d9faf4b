"""The Moorings policy pack's rules, importable without starting the policy server.

`policies/__main__.py` hands `POLICIES` to `pulumi_policy.PolicyPack`; tests import the same
list. One module per rule family; each exports `POLICIES`.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import credentials, exposure, health, images, limits, network, privileges, replicas, restricted, storage, swarm

PACK_NAME = "moorings"
# Without a --policy-pack-config, every rule blocks: a stack relaxes rules in its own
# policies/config/<stack>.json, and says why.
ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [
    *images.POLICIES,
    *credentials.POLICIES,
    *limits.POLICIES,
    *health.POLICIES,
    *privileges.POLICIES,
    *restricted.POLICIES,
    *exposure.POLICIES,
    *replicas.POLICIES,
    *storage.POLICIES,
    *network.POLICIES,
    *swarm.POLICIES,
]
