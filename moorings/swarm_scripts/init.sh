#!/bin/sh
# Make this node the first manager of a new swarm, unless it already manages one.
# Usage: init.sh ADVERTISE_ADDR OWNER
#   OWNER labels the node (moorings.created-by) so that dissolve.sh only ever dissolves
#   a swarm this owner created, never one it found.
# Prints this node's swarm node ID on standard output, says what it did on standard error.
# Running it again changes nothing.
set -eu
advertise_addr=$1
owner=$2

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case $state in
  inactive)
    docker swarm init --advertise-addr "$advertise_addr" >/dev/null
    docker node update --label-add "moorings.created-by=$owner" \
      "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
    echo "init: created a swarm advertised on $advertise_addr" >&2
    ;;
  active)
    if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; then
      echo "init: this node is a worker of another swarm; run 'docker swarm leave' on it first" >&2
      exit 1
    fi
    echo "init: already a swarm manager, nothing to do" >&2
    ;;
  *)
    echo "init: swarm state is '$state', expected inactive or active; fix the engine and run again" >&2
    exit 1
    ;;
esac
docker info --format '{{.Swarm.NodeID}}'
