"""The Moorings policy pack: `pulumi preview --policy-pack policies`. Builds the pack, nothing else;
the rules live in moorings_policies/."""

from pulumi_policy import PolicyPack

from moorings_policies import ENFORCEMENT_LEVEL, PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, enforcement_level=ENFORCEMENT_LEVEL, policies=POLICIES)
