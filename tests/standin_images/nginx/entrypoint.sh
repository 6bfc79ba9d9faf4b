#!/bin/sh
# As nginx-unprivileged: run as user 101 on port 8080, write nothing but /tmp (the root is
# read-only in the stacks).
mkdir -p /tmp/www && echo "stand-in nginx: hello from $(hostname)" > /tmp/www/index.html
# PID 1 of a container has no default signal actions: unhandled, SIGTERM does nothing and the
# engine kills the task when its stop grace period ends. STANDIN_IGNORE_SIGTERM=1 keeps it so,
# to reproduce an image that shuts down slowly; otherwise stop at once, as nginx does.
if [ "${STANDIN_IGNORE_SIGTERM:-}" = 1 ]; then
    trap '' TERM
else
    trap 'exit 0' TERM INT QUIT
fi
httpd -f -p 8080 -h /tmp/www &
wait
