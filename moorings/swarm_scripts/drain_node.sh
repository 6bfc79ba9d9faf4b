#!/bin/sh
# Drain a node before it leaves: Swarm stops its tasks there and starts them on the other
# nodes, and this waits until none of them runs there any more, so a host removed from the
# configuration goes without taking running tasks with it.
# Usage: drain_node.sh NODE_ID   (on a manager, before leave.sh runs on the node; the wait
#   ends after 120 s at most). A node or a swarm already gone: nothing to do.
set -eu
node=$1
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; then
  echo "drain_node: this engine manages no swarm any more, nothing to drain" >&2
  exit 0
fi
if ! docker node inspect "$node" >/dev/null 2>&1; then
  echo "drain_node: node $node is not in this swarm, nothing to do" >&2
  exit 0
fi
docker node update --availability drain "$node" >/dev/null
waited=0
# Tasks whose container may still run there (as drain.sh counts them).
while docker node ps --format '{{.CurrentState}}' "$node" |
  grep -Eq '^(New|Allocated|Pending|Assigned|Accepted|Preparing|Ready|Starting|Running) '; do
  if [ "$waited" -ge 120 ]; then
    echo "drain_node: tasks still run on $node 120 s after the drain; see docker node ps $node" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "drain_node: no task runs on $node any more (${waited} s)" >&2
