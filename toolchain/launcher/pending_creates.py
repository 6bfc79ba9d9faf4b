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
  so the one that ran again did what the interrupted one had begun.
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


def main() -> int:
    exported = json.load(sys.stdin)
    deployment = exported.get("deployment") or {}
    held = {resource["urn"] for resource in deployment.get("resources") or []}
    pending = deployment.get("pending_operations") or []
    moot = [op for op in pending if op.get("type") == "creating" and op["resource"].get("type") in RETRY_SAFE and op["resource"]["urn"] in held]
    if not moot:
        return 3
    deployment["pending_operations"] = [op for op in pending if op not in moot]
    for op in moot:
        print(f"pulumi (Moorings): cleared the interrupted create of {op['resource']['urn']}: this up created it again", file=sys.stderr)
    json.dump(exported, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
