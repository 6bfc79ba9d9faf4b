#!/usr/bin/env bash
# The backups of a stack on platform docker (backup.enabled; docs/operators/data-safety.md):
#   scripts/backups.sh list STACK                 the complete backups, oldest first
#   scripts/backups.sh now STACK                  take one now, and wait (at most 10 min) until it is done
#   scripts/backups.sh restore STACK NAME [VOLUME]
#       bring backup NAME back into STACK: its database and its wp-content (what they hold now is
#       replaced). VOLUME: the backups volume to read, moorings-STACK-backups by default (another
#       stack's, to move a site). STACK must have backup.enabled: the restore runs like its backup container.
# Talks to the Docker Engine of `docker` (DOCKER_HOST). No password is on a command line: the
# containers read the database password from the stack's own secret files.
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
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
  # Like the stack's backup container: its image, network, environment (no secret in it: the
  # password is a *_FILE path) and secret files; for the stack's own MySQL or an external one.
  image=$(docker inspect --format '{{.Image}}' "$backup_container")
  env_args=()
  while IFS= read -r var; do
    [ -n "$var" ] && env_args+=(-e "$var")
  done < <(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$backup_container" | grep -E '^(MYSQL_|BACKUP_)')
  # Root to give the files back their owners; read-only but for wp-content.
  docker run --rm --name "$prefix-restore" --network "$prefix-net" \
    --read-only --tmpfs /tmp --security-opt no-new-privileges:true \
    --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER \
    -v "$volume:/backups:ro" -v "$prefix-wp-content:/wp-content" -v "$prefix-backup-secrets:/run/secrets:ro" \
    "${env_args[@]}" --entrypoint sh "$image" -c "$(cat "$scripts/restore.sh")" restore "$name"
  ;;
*) usage ;;
esac
