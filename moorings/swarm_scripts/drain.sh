#!/bin/sh
# Stop every task of a service and wait until none runs, so that the Docker provider's delete
# that follows finds nothing to wait for.
# Why: pulumi-docker 5.1.0 (terraform-provider-docker) removes a service, then waits for each
# of its running containers to be gone with a deadline equal to the stop grace period. A task
# that needs the whole period (an image that ignores SIGTERM, a database flushing to disk) is
# killed at that very moment and removed a second later: the delete fails with "error on wait
# for container ... context deadline exceeded" though the service is gone, and every later
# delete fails with "service ... not found" until `pulumi refresh`.
# Usage: drain.sh SERVICE_ID GRACE_SECONDS   (on a manager; the wait ends GRACE_SECONDS + 60 s
#   after the stop at most). Running it again, or on a service already gone, changes nothing.
set -eu
service=$1
limit=$(($2 + 60))
if ! docker service inspect "$service" >/dev/null 2>&1; then
  echo "drain: service $service is gone already, nothing to do" >&2
  exit 0
fi
if [ "$(docker service inspect --format '{{if .Spec.Mode.Global}}global{{end}}' "$service")" = global ]; then
  # One task per node: no node may run it any more.
  docker service update --detach --quiet --constraint-add node.labels.moorings.drained==true "$service" >/dev/null
else
  docker service scale --detach "$service=0" >/dev/null
fi
waited=0
# Tasks whose container may still run; stopped ones (Shutdown, Complete, Failed) go with the service.
while docker service ps --format '{{.CurrentState}}' "$service" |
  grep -Eq '^(New|Allocated|Pending|Assigned|Accepted|Preparing|Ready|Starting|Running) '; do
  if [ "$waited" -ge "$limit" ]; then
    echo "drain: tasks of $service still run $limit s after the stop; see docker service ps $service" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "drain: every task of $service has stopped (${waited} s)" >&2
# A stopped container of an earlier service of the same name: the engine was restarted while Swarm
# removed that service (an `up` replacing it), so no task owns the container any more, nothing
# removes it, and it holds the service's volumes (their delete then fails "in_use"; seen here
# after a restart mid-`up`). On this node only.
name=$(docker service inspect --format '{{.Spec.Name}}' "$service")
id=$(docker service inspect --format '{{.ID}}' "$service")
for container in $(docker ps -aq --filter "label=com.docker.swarm.service.name=$name" \
  --filter status=created --filter status=exited --filter status=dead); do
  if [ "$(docker inspect --format '{{index .Config.Labels "com.docker.swarm.service.id"}}' "$container")" != "$id" ]; then
    docker rm --volumes "$container" >/dev/null && echo "drain: removed container $container, left by an earlier $name service" >&2
  fi
done
