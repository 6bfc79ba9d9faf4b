#!/bin/sh
# The real entrypoint's root phase: read the *_FILE secrets, create the directories mysqld
# writes, hand them to mysql (find | chown), then step down to mysql (gosu there, su here).
set -e
for file in "$MYSQL_ROOT_PASSWORD_FILE" "$MYSQL_PASSWORD_FILE"; do
    [ -r "$file" ] || { echo "stand-in mysql: cannot read '$file'" >&2; exit 1; }
done
dirs="/var/lib/mysql /var/run/mysqld /var/lib/mysql-files"
mkdir -p $dirs
# After the first start this walks the 0750 data directory mysql owns, as the real one does.
find $dirs ! -user mysql -exec chown mysql {} +
exec su -s /bin/sh mysql -c 'exec /bin/sh /server.sh'
