#!/bin/sh
# Take this node out of its swarm: a host removed from the configuration leaves on the next up.
# A manager is demoted first, so the remaining managers keep their quorum. The last manager
# refuses: leaving would erase the swarm, which is dissolve.sh's job, not a member's.
# Usage: leave.sh            Running it again changes nothing.
set -eu
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" = inactive ]; then
  echo "leave: not in a swarm, nothing to do" >&2
  exit 0
fi
node_id=$(docker info --format '{{.Swarm.NodeID}}')
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ]; then
  if [ "$(docker node ls --quiet --filter role=manager | wc -l)" -le 1 ]; then
    echo "leave: this node is the last manager; leaving would erase the swarm, refusing" >&2
    exit 1
  fi
  docker node demote "$node_id" >/dev/null
  # The demotion reaches this node through Raft; leave once it is a worker here too (60 s at most).
  tries=0
  while [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
      echo "leave: still a manager 60 s after demotion; run 'docker swarm leave' by hand" >&2
      exit 1
    fi
    sleep 1
  done
fi
docker swarm leave >/dev/null
echo "leave: node $node_id left the swarm" >&2
