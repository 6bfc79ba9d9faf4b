#!/bin/sh
# Wait until Swarm has rolled a service out: its update (monitor period included) has ended,
# as many tasks run as it wants, and no old task is still stopping.
# Why: pulumi-docker 5.1.0 (terraform-provider-docker) returns from an update as soon as the
# new tasks run, while Swarm still watches them for update_config.monitor and may still be
# stopping old ones; for a global service it does not wait at all. Seen on WordPress: a task
# that failed in that window rolled a scale-up back to one replica after `up` had succeeded,
# and after a port change old tasks still sent visitors to the old address.
# Usage: settle.sh SERVICE_ID LIMIT_SECONDS [SPEC_DIGEST]   (on a manager; SwarmService runs it
# as `sh -s -- ARGS` with this text on stdin, so nothing below may read stdin). SPEC_DIGEST only
# names the spec waited for: a new one makes `up` run the wait again. Fails, naming Swarm's
# message, when the update was paused or rolled back: Swarm then runs the previous spec.
set -eu
service=$1
limit=$2
waited=0

# Why the rollout is not over yet, or nothing when it is.
behind() {
  wanted=$(docker service inspect --format '{{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{end}}' "$service")
  running=0
  for task in $(docker service ps -q --filter desired-state=running "$service"); do
    task_state=$(docker inspect --type task --format '{{.Status.State}}' "$task")
    if [ "$task_state" != running ]; then
      echo "task $task is $task_state"
      return
    fi
    running=$((running + 1))
  done
  if [ -n "$wanted" ] && [ "$running" -ne "$wanted" ]; then
    echo "$running of $wanted tasks run"
    return
  fi
  for task in $(docker service ps -q --filter desired-state=shutdown "$service"); do
    case $(docker inspect --type task --format '{{.Status.State}}' "$task") in
      running | starting) echo "task $task is still stopping"; return ;;
    esac
  done
}

# Swarm starts its update a moment after the spec changes; the provider does not wait for it
# on a global service (on a replicated one it waits 7 s before its first look).
sleep 3
while :; do
  state=$(docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$service")
  case "$state" in
    paused | rollback_paused | rollback_completed)
      message=$(docker service inspect --format '{{.UpdateStatus.Message}}' "$service")
      # A task that ended by itself says why: its state and error (e.g. Failed, "task: non-zero
      # exit (1)"; a task that exits 0 also fails an update). Tasks Swarm stopped show Shutdown.
      failed=$(docker service ps --no-trunc --format '{{.Name}}: {{.CurrentState}} {{.Error}}' "$service" |
        grep -E '^[^ ]+: (Failed|Complete|Rejected) ' | head -n 1 || true)
      echo "settle: the update of $service ended $state (${message}${failed:+; $failed}): Swarm runs" \
        "the previous spec. See docker service ps --no-trunc $service; once fixed, pulumi up --refresh sends the spec again" >&2
      exit 1
      ;;
    updating | rollback_started) why="Swarm's update is $state" ;;
    *) why=$(behind) ;;
  esac
  if [ -z "$why" ]; then
    echo "settle: $service is rolled out (${waited} s)" >&2
    exit 0
  fi
  if [ "$waited" -ge "$limit" ]; then
    echo "settle: $service is not rolled out $limit s after the update ($why); see docker service ps --no-trunc $service" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
