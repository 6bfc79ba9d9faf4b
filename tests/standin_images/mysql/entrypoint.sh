#!/bin/sh
# Refuse to start, as the real entrypoint would, when a *_FILE secret cannot be read.
for file in "$MYSQL_ROOT_PASSWORD_FILE" "$MYSQL_PASSWORD_FILE"; do
    [ -r "$file" ] || { echo "stand-in mysql: cannot read '$file'" >&2; exit 1; }
done
mkdir -p /www && echo alive > /www/index.html
# PID 1 ignores SIGTERM unless it handles it: stop at once, as mysqld does.
trap 'exit 0' TERM INT
httpd -f -p 3306 -h /www &
wait
