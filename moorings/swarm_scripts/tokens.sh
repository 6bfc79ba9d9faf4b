#!/bin/sh
# Print the token that joins a node to this swarm as ROLE (worker or manager).
# Usage: tokens.sh ROLE     (run on a manager; the token is a secret: keep it off logs)
set -eu
role=$1
case $role in
  worker | manager) ;;
  *)
    echo "tokens: role '$role' is neither worker nor manager" >&2
    exit 2
    ;;
esac
docker swarm join-token --quiet "$role"
