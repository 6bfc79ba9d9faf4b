#!/usr/bin/env bash
# The backups of a stack on platform docker (backup.enabled; docs/operators/backups.md):
#   scripts/backups.sh list STACK                 the complete backups, oldest first
#   scripts/backups.sh now STACK                  take one now, and wait (at most 10 min) until it is done
#   scripts/backups.sh restore STACK NAME [VOLUME]
#       bring backup NAME back into STACK: its database and its wp-content (what they hold now is
#       replaced). VOLUME: the backups volume to read, moorings-STACK-backups by default (another
#       stack's, to move a site).
# Talks to the Docker Engine of `docker` (DOCKER_HOST). No password is on a command line: the
# containers read the root password from the stack's own secret files.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
stack=$2
prefix=moorings-$stack
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../moorings/backup_scripts
backup_container=$prefix-backup
complete='^[0-9]{8}T[0-9]{6}Z$'

last_run() { docker exec "$backup_container" sh -c 'cat /backups/.last 2>/dev/null || true'; }

case $action in
list)
  docker exec "$backup_container" ls -1 /backups | grep -E "$complete" || true
  ;;
now)
  before=$(last_run)
  docker kill --signal USR1 "$backup_container" >/dev/null
  for _ in $(seq 300); do
    sleep 2
    after=$(last_run)
    [ "$after" = "$before" ] || break
  done
  case $after in
  "$before") echo "backups: no backup finished within 10 minutes; see \`docker logs $backup_container\`" >&2; exit 1 ;;
  *" ok") echo "${after% ok}" ;;
  *) docker logs --tail 5 "$backup_container" >&2; echo "backups: the backup ${after% failed} failed" >&2; exit 1 ;;
  esac
  ;;
restore)
  [ $# -ge 3 ] || usage
  name=$3
  volume=${4:-$prefix-backups}
  mysql=$prefix-mysql
  # The stack's own database container says which image, database and network to use.
  image=$(docker inspect --format '{{.Image}}' "$mysql")
  database=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$mysql" | sed -n 's/^MYSQL_DATABASE=//p')
  # Root to restore the files' owners; read-only but for wp-content; the password a file.
  docker run --rm --name "$prefix-restore" --network "$prefix-net" \
    --read-only --tmpfs /tmp --security-opt no-new-privileges:true \
    --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER \
    -v "$volume:/backups:ro" -v "$prefix-wp-content:/wp-content" -v "$prefix-mysql-secrets:/run/secrets:ro" \
    -e MYSQL_HOST=mysql -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql-root-password \
    --entrypoint sh "$image" -c "$(cat "$scripts/restore.sh")" restore "$name" "$database"
  ;;
*) usage ;;
esac
