#!/bin/sh
# The stack's backup schedule, in a container on the database's own image beside the database.
# Every EVERY seconds, and at once on SIGUSR1 (`scripts/backups.sh now STACK`), it writes one backup:
#   /backups/<UTC time>/database.sql.gz   mariadb-dump (or mysqldump) --single-transaction of the database
#   /backups/<UTC time>/wp-content.tar.gz the wp-content volume, mounted read-only at /wp-content
# into .partial-<time> first and renames it when both are complete, so a backup that failed half way
# never counts; then it keeps the KEEP newest and deletes the rest.
# The first backup is one interval after the start, never at it: a stack brought up fresh to be
# restored must not back up its empty site and push a good backup out of the KEEP.
# Usage: backup.sh EVERY KEEP     EVERY 0: one backup now, and exit with its status (a CronJob's run)
# Env: MYSQL_HOST and MYSQL_PORT (the database's address), MYSQL_DATABASE (what is dumped),
# BACKUP_USER (who dumps; root by default, the site's user for an external database) and the file
# of that user's password, MYSQL_ROOT_PASSWORD_FILE or MYSQL_PASSWORD_FILE: the password goes to
# the client in MYSQL_PWD, never on a command line or in the output. restore.sh reads the same.
# /backups/.last records the last run: "<time> ok" or "<time> failed", for `scripts/backups.sh now`.
set -eu
every=$1
keep=$2
database=$MYSQL_DATABASE
host=${MYSQL_HOST:-mysql}
port=${MYSQL_PORT:-3306}
user=${BACKUP_USER:-root}
if [ "$user" = root ]; then password_file=${MYSQL_ROOT_PASSWORD_FILE:-}; else password_file=${MYSQL_PASSWORD_FILE:-}; fi
dump=$(command -v mariadb-dump || command -v mysqldump)
store=/backups
partial=
last=

take_backup() {  # called in `||`, where `set -e` is off: every step says how it failed
  name=$(date -u +%Y%m%dT%H%M%SZ)
  while [ -e "$store/$name" ]; do sleep 1; name=$(date -u +%Y%m%dT%H%M%SZ); done
  last="$name failed"
  partial=$store/.partial-$name
  rm -rf "$partial" && mkdir "$partial" || { echo "backup $name: cannot write to $store" >&2; return 1; }
  [ -r "$password_file" ] || { echo "backup $name: no readable password file for $user ($password_file)" >&2; return 1; }
  # Consistent without locking WordPress out: one transaction over InnoDB's tables.
  MYSQL_PWD=$(cat "$password_file") "$dump" --protocol=tcp -h "$host" -P "$port" -u"$user" \
    --single-transaction --routines --triggers --databases "$database" >"$partial/database.sql" \
    && gzip "$partial/database.sql" \
    || { echo "backup $name: the dump of $database on $host failed; the earlier backups are kept" >&2; return 1; }
  tar -C /wp-content -czf "$partial/wp-content.tar.gz" . \
    || { echo "backup $name: the archive of wp-content failed; the earlier backups are kept" >&2; return 1; }
  mv "$partial" "$store/$name" || return 1
  # Newest first; the names sort by time.
  ls -1 "$store" | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort -r | tail -n +"$((keep + 1))" | while IFS= read -r old; do
    rm -rf "${store:?}/$old"
    echo "backup: removed $old (keeping the $keep newest)"
  done
  echo "backup $name: done ($(du -sk "$store/$name" | cut -f1) KiB)"
  last="$name ok"
}

rm -rf "$store"/.partial-*
if [ "$every" -eq 0 ]; then
  # A Job's fresh pod: its network policy may let it through a moment after it starts (kube-router
  # on a real node took seconds): up to 60 s for the database to answer before the one backup.
  client=$(command -v mariadb || command -v mysql)
  tries=0
  until [ ! -r "$password_file" ] || MYSQL_PWD=$(cat "$password_file") "$client" --protocol=tcp -h "$host" -P "$port" -u"$user" -e 'SELECT 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || break  # the backup then fails, saying why
    sleep 1
  done
  status=0
  take_backup || { rm -rf "$partial"; status=1; }
  echo "$last" >"$store/.last"
  exit "$status"
fi
trap : USR1
trap 'exit 0' TERM INT
echo "backup: every ${every}s, keeping $keep, of $database on $host into $store"
while :; do
  sleep "$every" &
  wait $! || true  # a USR1 ends the wait early
  kill $! 2>/dev/null || true
  take_backup || rm -rf "$partial"
  echo "$last" >"$store/.last"
done
