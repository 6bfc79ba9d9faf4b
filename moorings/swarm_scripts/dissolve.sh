#!/bin/sh
# Dissolve the swarm this node manages, if OWNER created it (init.sh labelled a node
# moorings.created-by=OWNER); a swarm found already running is left as it is.
# Usage: dissolve.sh OWNER   (on the first manager, after every other node has left)
# Running it again changes nothing.
set -eu
owner=$1
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" = inactive ]; then
  echo "dissolve: not in a swarm, nothing to do" >&2
  exit 0
fi
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; then
  echo "dissolve: this node is not a manager; only leave.sh applies to it" >&2
  exit 1
fi
created_by=$(docker node ls --quiet |
  while read -r node; do
    docker node inspect --format '{{index .Spec.Labels "moorings.created-by"}}' "$node"
  done)
if ! printf '%s\n' "$created_by" | grep -Fqx -- "$owner"; then
  echo "dissolve: this swarm was not created by $owner; leaving it as it is" >&2
  exit 0
fi
docker swarm leave --force >/dev/null
echo "dissolve: the swarm created by $owner is gone" >&2
