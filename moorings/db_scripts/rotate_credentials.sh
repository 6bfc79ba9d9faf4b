#!/bin/sh
# Rotate the database's credentials inside the running MySQL container, in two phases (see
# set_passwords.sh): `open` before any consumer switches to the new values, `close` once they
# all have (WordPressStack declares that order, on docker and swarm).
# Usage: rotate_credentials.sh FILTER USER PHASE SET_PASSWORDS_SCRIPT   on the node that runs MySQL;
# PHASE: open or close; stdin: the new root password, then USER's new password, one line each.
# FILTER is a `docker ps` filter that finds the MySQL container. No running container and none
# stopped: a first install, which the image initialises from its secret files; nothing to do.
# The passwords travel on stdin only: never on a command line, in the environment or in the output.
set -eu
filter=$1
user=$2
phase=$3
set_passwords=$4

running=$(docker ps -q --filter "$filter")
if [ -z "$running" ]; then
  if [ -n "$(docker ps -aq --filter "$filter")" ]; then
    echo "credential rotation: the MySQL container ($filter) is not running, so the database still has" \
      "its old passwords and every consumer still uses them; nothing was changed. Start it, then run" \
      "\`pulumi up\` again to finish the rotation." >&2
    exit 3
  fi
  echo "credential rotation: no MySQL container yet ($filter): a first install, initialised with the new values"
  exit 0
fi
container=$(echo "$running" | head -n 1)
# stdin passes straight through to the script inside the container.
docker exec -i "$container" sh -c "$set_passwords" set_passwords "$user" "$phase"
