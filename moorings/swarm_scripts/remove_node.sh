#!/bin/sh
# Remove from the node list the node that advertised ADDRESS, once it has left: without this,
# `docker node ls` lists a host taken out of the configuration as Down for ever.
# Usage: remove_node.sh ADDRESS   (on a manager, after leave.sh ran on that host; the node
#   must be Down within 60 s). Running it again, or with the swarm gone, changes nothing.
set -eu
address=$1
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; then
  echo "remove_node: this engine manages no swarm any more, nothing to remove" >&2
  exit 0
fi
# Every entry of that address: a host that rejoined as a manager left an older one behind.
nodes=$(docker node ls --quiet |
  while read -r node; do
    docker node inspect --format '{{.ID}} {{.Status.Addr}}' "$node"
  done | awk -v address="$address" '$2 == address { print $1 }')
for node in $nodes; do
  waited=0
  while [ "$(docker node inspect --format '{{.Status.State}}' "$node")" != down ]; do
    if [ "$waited" -ge 60 ]; then
      echo "remove_node: node $node ($address) is still up 60 s after it left; run 'docker node rm' by hand" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  docker node rm "$node" >/dev/null
  echo "remove_node: node $node ($address) removed from the swarm" >&2
done
