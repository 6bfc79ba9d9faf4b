"""Reads `pulumi stack export` on stdin; writes it back without the pending CREATE operations that
the `up` which just succeeded has made moot, and says which on stderr. Exit 0: something was
dropped (import the output); 3: nothing to drop.

The CLI keeps a pending create (an `up` killed while the provider created a resource) in the state
for good, warning on every later `up`, because it cannot know whether the interrupted create left
something behind. For a docker container or network, a Swarm service, secret or config of a Moorings
stack it can be known: its name is fixed (or its content's), and the hook that runs before each
create (moorings/engine_names.py) removed what the
interrupted create left under that name, or the create would have failed. So once the state holds
the object again, its pending create is dropped. Anything else stays."""

from __future__ import annotations

import json
import sys

# The types whose creates free their names first (the hooks above).
NAMED = {
    "docker:index/container:Container",
    "docker:index/network:Network",
    "docker:index/service:Service",
    "docker:index/secret:Secret",
    "docker:index/serviceConfig:ServiceConfig",
}


def main() -> int:
    exported = json.load(sys.stdin)
    deployment = exported.get("deployment") or {}
    held = {resource["urn"] for resource in deployment.get("resources") or []}
    pending = deployment.get("pending_operations") or []
    moot = [op for op in pending if op.get("type") == "creating" and op["resource"].get("type") in NAMED and op["resource"]["urn"] in held]
    if not moot:
        return 3
    deployment["pending_operations"] = [op for op in pending if op not in moot]
    for op in moot:
        print(f"pulumi (Moorings): cleared the interrupted create of {op['resource']['urn']}: this up created it again", file=sys.stderr)
    json.dump(exported, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
