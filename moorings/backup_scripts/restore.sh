#!/bin/sh
# Bring one backup (backup.sh) back into a stack: its database dump into the stack's database,
# its wp-content archive in place of the wp-content volume's content. Run by
# `scripts/backups.sh restore` in a one-off container like the stack's backup container (its
# image, network, secret files and environment: see backup.sh), with the backups at /backups
# (read-only) and the wp-content volume at /wp-content. The password is read from its file, never
# on a command line or in the output.
# Usage: restore.sh NAME
set -eu
name=$1
database=$MYSQL_DATABASE
host=${MYSQL_HOST:-mysql}
port=${MYSQL_PORT:-3306}
user=${BACKUP_USER:-root}
if [ "$user" = root ]; then password_file=${MYSQL_ROOT_PASSWORD_FILE:-}; else password_file=${MYSQL_PASSWORD_FILE:-}; fi
backup=/backups/$name
client=$(command -v mariadb || command -v mysql)

if [ ! -f "$backup/database.sql.gz" ] || [ ! -f "$backup/wp-content.tar.gz" ]; then
  echo "restore: no complete backup named $name; the backups are: $(ls -1 /backups | grep -E '^[0-9]{8}T[0-9]{6}Z$' | tr '\n' ' ')" >&2
  exit 2
fi
# Both archives whole before anything is changed.
gzip -t "$backup/database.sql.gz"
tar -tzf "$backup/wp-content.tar.gz" >/dev/null
MYSQL_PWD=$(cat "$password_file")
export MYSQL_PWD
tries=0
until echo 'SELECT 1' | "$client" --protocol=tcp -h "$host" -P "$port" -u"$user" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "restore: the database on $host:$port does not let $user in after 60 s; nothing was changed" >&2
    exit 3
  fi
  sleep 1
done
# The dump recreates the database (--databases): drop it first, so no table of the fresh site stays.
echo "DROP DATABASE IF EXISTS \`$database\`;" | "$client" --protocol=tcp -h "$host" -P "$port" -u"$user"
gunzip -c "$backup/database.sql.gz" | "$client" --protocol=tcp -h "$host" -P "$port" -u"$user"
find /wp-content -mindepth 1 -delete
# Its members, not the mount point itself ("./", the archive's first member): a volume's or a
# claim's root belongs to the platform, and as a non-root user (Kubernetes) tar may not set
# its mode or time. Run as root (docker, swarm) tar also restores the owners.
tar -C /wp-content -xzpf "$backup/wp-content.tar.gz" --numeric-owner --strip-components=1
echo "restore: $name is back: database $database and wp-content"
