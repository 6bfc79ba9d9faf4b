"""Reads `pulumi stack export` on stdin; writes it back without the pending CREATE operations that
the `up` which just succeeded has made moot, and says which on stderr. Exit 0: something was
dropped (import the output); 3: nothing to drop.

The CLI keeps a pending create (an `up` killed while the provider created a resource) in the state
for good, warning on every later `up`, because it cannot know whether the interrupted create left
something behind. For the resources of a Moorings stack it can be known, once the state holds the
resource again (the next `up` created it):
- a docker container or network, a Swarm service, secret or config: its name is fixed (or its
  content's), and the hook that runs before each create (moorings/engine_names.py) removed what
  the interrupted create left under that name, or the create would have failed;
- an image or a volume: a second create of the same name is the first one (Docker finds the
  image, and answers a volume create with the volume of that name);
- a generated password: the interrupted create made nothing outside the state;
- a command: Moorings' scripts check before they act (moorings/swarm_scripts, db_scripts),
  so the one that ran again did what the interrupted one had begun;
- a Kubernetes object named as the held one is (same namespace and name in both inputs): the
  provider (pulumi-kubernetes 4.25, toolchain/pins.sh) creates by server-side apply, which takes
  over an object of that name, so the object the interrupted create made is the one the state now
  holds. An auto-named object (a random suffix) would differ in name: that create stays, since
  what it made is left in the cluster.
So its pending create is dropped. Anything else stays."""

from __future__ import annotations

import json
import sys

# The types whose creates may run again (above).
RETRY_SAFE = {
    "docker:index/container:Container",
    "docker:index/network:Network",
    "docker:index/service:Service",
    "docker:index/secret:Secret",
    "docker:index/serviceConfig:ServiceConfig",
    "docker:index/remoteImage:RemoteImage",
    "docker:index/volume:Volume",
    "random:index/randomPassword:RandomPassword",
    "command:local:Command",
    "command:remote:Command",
}
KUBERNETES = "kubernetes:"  # any type of the Kubernetes provider (above)


def object_name(resource: dict) -> tuple[str, str]:
    """A Kubernetes resource's (namespace, name) as its inputs give them (the provider's check
    has written an auto-name there); empty when they give none."""
    metadata = (resource.get("inputs") or {}).get("metadata") or {}
    return str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def is_moot(op: dict, held: dict[str, dict]) -> bool:
    """A create that was interrupted and that this `up` made again, the same object (above)."""
    resource = op["resource"]
    again = held.get(resource["urn"])
    if op.get("type") != "creating" or again is None:
        return False
    if resource.get("type", "").startswith(KUBERNETES):
        return object_name(resource)[1] != "" and object_name(resource) == object_name(again)
    return resource.get("type") in RETRY_SAFE


def main() -> int:
    exported = json.load(sys.stdin)
    deployment = exported.get("deployment") or {}
    held = {resource["urn"]: resource for resource in deployment.get("resources") or []}
    pending = deployment.get("pending_operations") or []
    moot = [op for op in pending if is_moot(op, held)]
    if not moot:
        return 3
    deployment["pending_operations"] = [op for op in pending if op not in moot]
    for op in moot:
        print(f"pulumi (Moorings): cleared the interrupted create of {op['resource']['urn']}: this up created it again", file=sys.stderr)
    json.dump(exported, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
