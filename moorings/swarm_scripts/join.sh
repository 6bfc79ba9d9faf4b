#!/bin/sh
# Join this node to the swarm whose manager listens on MANAGER_ADDR, as ROLE, unless it is
# already a member; a member whose role differs is demoted, or rejoins as a manager.
# Usage: join.sh MANAGER_ADDR ROLE ADVERTISE_ADDR   with the join token for ROLE on standard input
#   (never as an argument: arguments show in logs and in `ps`).
# Prints this node's swarm node ID on standard output. Running it again changes nothing.
set -eu
manager_addr=$1
role=$2
advertise_addr=$3
token=
IFS= read -r token || true
if [ -z "$token" ]; then
  echo "join: no join token on standard input" >&2
  exit 2
fi

join() {
  docker swarm join --token "$token" --advertise-addr "$advertise_addr" "$manager_addr" >/dev/null
  echo "join: joined $manager_addr as $role" >&2
}

remove_former_entry() {
  tries=0
  while [ "$tries" -lt 60 ]; do
    if ! state=$(docker node inspect --format '{{.Status.State}}' "$1" 2>/dev/null); then
      # Gone already, or this node is not yet a manager with the swarm's state (Raft catching up).
      [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] && return 0
      state=
    fi
    if [ "$state" = down ]; then
      docker node rm "$1" >/dev/null
      echo "join: removed this host's former entry $1" >&2
      return 0
    fi
    sleep 1
    tries=$((tries + 1))
  done
  echo "join: this host's former entry $1 is still listed; run 'docker node rm $1' on a manager" >&2
}

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case $state in
  inactive)
    join
    ;;
  active)
    managers=$(docker info --format '{{range .Swarm.RemoteManagers}}{{.Addr}} {{end}}')
    case " $managers" in
      *" $manager_addr "*) ;;
      *)
        echo "join: this node belongs to another swarm (managers: $managers); run 'docker swarm leave' on it first" >&2
        exit 1
        ;;
    esac
    is_manager=$(docker info --format '{{.Swarm.ControlAvailable}}')
    if [ "$role" = worker ] && [ "$is_manager" = true ]; then
      docker node demote "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
      echo "join: demoted to worker" >&2
    elif [ "$role" = manager ] && [ "$is_manager" != true ]; then
      # A worker cannot promote itself: it leaves and comes back with the manager token, as
      # a new node. The entry it leaves behind would stay listed Down, its tasks counted as
      # running: the manager it now is removes it.
      former_id=$(docker info --format '{{.Swarm.NodeID}}')
      docker swarm leave >/dev/null
      join
      remove_former_entry "$former_id"
    else
      echo "join: already a $role of this swarm, nothing to do" >&2
    fi
    ;;
  *)
    echo "join: swarm state is '$state', expected inactive or active; fix the engine and run again" >&2
    exit 1
    ;;
esac
docker info --format '{{.Swarm.NodeID}}'
