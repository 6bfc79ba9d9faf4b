#!/bin/sh
# As mysql: initialise the data directory on the first start (0750, as mysqld makes its
# schema directories), keep the pid beside the socket, and answer on 3306.
set -e
data=/var/lib/mysql/mysql
if [ ! -d "$data" ]; then
    mkdir -m 0750 "$data" && echo alive > "$data/index.html"
fi
echo $$ > /var/run/mysqld/mysqld.pid
echo spill > /tmp/mysqld-tmp
# PID 1 ignores SIGTERM unless it handles it: stop at once, as mysqld does.
trap 'exit 0' TERM INT
httpd -f -p 3306 -h "$data" &
wait
