#!/bin/sh
# moorings-local/haproxy: starts HAProxy the way the official haproxy image does.
set -e

# The command begins with an option: it is HAProxy's.
if [ "${1#-}" != "$1" ]; then
	set -- haproxy "$@"
fi

# HAProxy as a container's one program: master-worker (-W: the master reloads on SIGUSR2 and
# stops the workers gracefully on SIGUSR1), in the foreground (-db).
if [ "$1" = haproxy ]; then
	shift
	set -- haproxy -W -db "$@"
fi

exec "$@"
