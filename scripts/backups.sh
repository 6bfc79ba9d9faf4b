#!/usr/bin/env bash
# The backups of a stack (backup.enabled; docs/operators/data-safety.md), on platform docker or swarm:
#   scripts/backups.sh list STACK                 the complete backups, oldest first
#   scripts/backups.sh now STACK                  take one now, and wait (at most 10 min) until it is done
#   scripts/backups.sh restore STACK NAME [VOLUME]
#       bring backup NAME back into STACK: its database and its wp-content (what they hold now is
#       replaced). VOLUME: the backups volume to read, moorings-STACK-backups by default (another
#       stack's, to move a site). STACK must have backup.enabled: the restore runs like its backup container.
# Talks to the Docker Engine of `docker` (DOCKER_HOST): on swarm, a manager on the node of the stack's
# volumes (MySQL's node), where the backup task runs. No password is on a command line: the
# containers read the database password from the stack's own secret files.
# On kubernetes, the stack's namespace instead of STACK, through kubectl and its KUBECONFIG:
#   scripts/backups.sh --namespace NAMESPACE [--context CONTEXT] list|now|restore [NAME]
#       (moorings/kubernetes_backups.py: one-off Jobs made from the stack's backup CronJob)
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
--namespace | -n | --namespace=*)
  # The set-up's virtualenv has the moorings package; any Python with it will do.
  python=${MOORINGS_PYTHON:-$here/../venv/bin/python}
  [ -x "$python" ] || python=python3
  PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m moorings.kubernetes_backups "$@"
  ;;
esac
[ $# -ge 2 ] || usage
action=$1
stack=$2
prefix=moorings-$stack
scripts=$here/../moorings/backup_scripts
backup=$prefix-backup
complete='^[0-9]{8}T[0-9]{6}Z$'

# The container that runs backup.sh: the stack's backup container (docker), or the running task of
# its backup service on this node (swarm).
if docker container inspect "$backup" >/dev/null 2>&1; then
  platform=docker
  backup_container=$backup
elif docker service inspect "$backup" >/dev/null 2>&1; then
  platform=swarm
  backup_container=$(docker ps -q --filter "label=com.docker.swarm.service.name=$backup" --filter status=running | head -n 1)
  if [ -z "$backup_container" ]; then
    echo "backups: no running task of service $backup on this node; point DOCKER_HOST at the node of the stack's volumes (\`docker service ps $backup\`)" >&2
    exit 1
  fi
else
  echo "backups: stack $stack has no backup container or service named $backup: set backup.enabled and run \`pulumi up -s $stack\`" >&2
  exit 1
fi

last_run() { docker exec "$backup_container" sh -c 'cat /backups/.last 2>/dev/null || true'; }

# The job service and its task's container: Swarm keeps a finished job's container after `service rm`
# (seen here 45 s later), holding the volumes, and the stack's `destroy` then failed on them "in_use".
remove_restore_job() {
  docker service rm "$prefix-restore" >/dev/null 2>&1 || true
  docker ps -aq --filter "label=com.docker.swarm.service.name=$prefix-restore" | xargs -r docker rm --force >/dev/null
}

# On swarm the stack's network takes services only: the restore is a one-off job service made like
# the backup service (its image, environment, Swarm secret, network and placement), removed after.
restore_on_swarm() {
  local name=$1 volume=$2 spec image args=() var secret constraint state
  spec() { docker service inspect --format "$1" "$backup"; }
  image=$(spec '{{.Spec.TaskTemplate.ContainerSpec.Image}}')
  while IFS= read -r var; do
    [ -n "$var" ] && args+=(--env "$var")
  done < <(spec '{{range .Spec.TaskTemplate.ContainerSpec.Env}}{{println .}}{{end}}' | grep -E '^(MYSQL_|BACKUP_)')
  while IFS= read -r secret; do
    [ -n "$secret" ] && args+=(--secret "$secret")
  done < <(spec '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{printf "source=%s,target=%s,uid=0,gid=0,mode=0400\n" .SecretName .File.Name}}{{end}}')
  while IFS= read -r constraint; do
    [ -n "$constraint" ] && args+=(--constraint "$constraint")
  done < <(spec '{{range .Spec.TaskTemplate.Placement.Constraints}}{{println .}}{{end}}')
  remove_restore_job  # one an interrupted restore left
  # Root to give the files back their owners; read-only but for wp-content. Waits for the job.
  # A tmpfs on the image's VOLUME (/var/lib/mysql): else each run left an anonymous volume behind.
  docker service create --quiet --name "$prefix-restore" --mode replicated-job --restart-condition none \
    --network "$prefix-net" --read-only --mount type=tmpfs,target=/tmp \
    --mount type=tmpfs,target=/var/lib/mysql \
    --cap-drop ALL --cap-add CAP_CHOWN --cap-add CAP_DAC_OVERRIDE --cap-add CAP_FOWNER \
    --mount "type=volume,source=$volume,target=/backups,readonly" \
    --mount "type=volume,source=$prefix-wp-content,target=/wp-content" \
    "${args[@]}" --entrypoint sh "$image" -c "$(cat "$scripts/restore.sh")" restore "$name" >/dev/null || true
  state=$(docker service ps --no-trunc --format '{{.CurrentState}} {{.Error}}' "$prefix-restore" | head -n 1)
  docker service logs --raw "$prefix-restore" 2>&1 | tail -n 20
  remove_restore_job
  case $state in
  Complete*) ;;
  *) echo "backups: the restore job ended: $state" >&2; return 1 ;;
  esac
}

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
  if [ "$platform" = swarm ]; then
    restore_on_swarm "$name" "$volume"
    exit
  fi
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
