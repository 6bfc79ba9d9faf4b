#!/bin/sh
# Set the database's new passwords in two phases, so that no consumer is ever locked out:
#   open   before the consumers switch: root gets its new password; USER accepts both its current
#          password and the new one (MariaDB: two mysql_native_password methods, `... OR ...`;
#          MySQL: RETAIN CURRENT PASSWORD), so consumers still on the old value keep working;
#   close  once every consumer uses the new values: USER accepts the new password only.
# Inside the running MySQL (or MariaDB) container, or beside it in a Kubernetes Job.
# Usage: set_passwords.sh USER open|close
# stdin: the new root password, then USER's new password, one line each.
# The current passwords: the files MYSQL_ROOT_PASSWORD_FILE and MYSQL_PASSWORD_FILE name (those
# the container started with, or the stack's record of them). Root logs in with the new password
# when an earlier, interrupted rotation got that far. A second run changes nothing more.
# The server: MYSQL_HOST, by default 127.0.0.1 (the container's own).
# Passwords go to the client in MYSQL_PWD and in SQL on its stdin: never on a command line.
# Over TCP, not the socket: there MariaDB lets the container's root in without any password
# (unix_socket), which would prove nothing about the passwords.
set -eu
user=$1
phase=$2
IFS= read -r new_root
IFS= read -r new_user
client=$(command -v mariadb || command -v mysql)
host=${MYSQL_HOST:-127.0.0.1}
root_file=${MARIADB_ROOT_PASSWORD_FILE:-${MYSQL_ROOT_PASSWORD_FILE:-}}
user_file=${MARIADB_PASSWORD_FILE:-${MYSQL_PASSWORD_FILE:-}}

sql() {  # sql USER PASSWORD: run stdin's SQL as USER over TCP
  MYSQL_PWD=$2 "$client" --protocol=tcp -h "$host" -u"$1" -N -B
}
works() {  # works USER PASSWORD
  echo 'SELECT 1' | sql "$1" "$2" >/dev/null 2>&1
}
literal() {  # the value as the inside of an SQL string literal
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"
}
current() {  # current FILE: its content, or nothing when there is no such file
  if [ -n "$1" ] && [ -r "$1" ]; then cat "$1"; fi
}

if ! mysqladmin --protocol=tcp -h "$host" ping >/dev/null 2>&1; then
  echo "credential rotation ($phase): MySQL does not answer ($host); nothing was changed. Once it" \
    "answers, run \`pulumi up\` again to finish the rotation." >&2
  exit 3
fi

old_root=$(current "$root_file")
if works root "$new_root"; then
  root=$new_root
elif [ -n "$old_root" ] && works root "$old_root"; then
  root=$old_root
else
  echo "credential rotation ($phase): the database accepts neither its current root password (the" \
    "one its container started with) nor the new one; nothing was changed and every consumer still" \
    "uses the old values. Set mysqlRootPassword back to the value the database has (\`pulumi config" \
    "set --secret mysqlRootPassword ...\`) and run \`pulumi up\` again." >&2
  exit 4
fi
old_user=$(current "$user_file")
# Both passwords stay valid only while a consumer may still use the old one, and only if it works.
keep_old=
if [ "$phase" = open ] && [ -n "$old_user" ] && [ "$old_user" != "$new_user" ] && works "$user" "$old_user"; then
  keep_old=1
fi

user_literal=$(literal "$user")
new_user_literal=$(literal "$new_user")
new_root_literal=$(literal "$new_root")
old_user_literal=$(literal "$old_user")
if echo 'SELECT VERSION()' | sql root "$root" | grep -qi mariadb; then
  set_root() { echo "SET PASSWORD FOR '$1'@'$2' = PASSWORD('$new_root_literal');"; }  # keeps root's unix_socket login
  if [ -n "$keep_old" ]; then
    set_user() { echo "ALTER USER '$1'@'$2' IDENTIFIED VIA mysql_native_password USING PASSWORD('$old_user_literal') OR mysql_native_password USING PASSWORD('$new_user_literal');"; }
  else
    set_user() { echo "ALTER USER '$1'@'$2' IDENTIFIED VIA mysql_native_password USING PASSWORD('$new_user_literal');"; }
  fi
else
  set_root() { echo "ALTER USER '$1'@'$2' IDENTIFIED BY '$new_root_literal';"; }
  if [ -n "$keep_old" ]; then
    set_user() { echo "ALTER USER '$1'@'$2' IDENTIFIED BY '$new_user_literal' RETAIN CURRENT PASSWORD;"; }
  else
    set_user() { echo "ALTER USER '$1'@'$2' IDENTIFIED BY '$new_user_literal'; ALTER USER '$1'@'$2' DISCARD OLD PASSWORD;"; }
  fi
fi
# Root last: the session is already in, and a rerun finds root's new password working.
statements=$(
  echo "SELECT Host FROM mysql.user WHERE User = '$user_literal';" | sql root "$root" | while IFS= read -r host_; do
    set_user "$user_literal" "$(literal "$host_")"
  done
  echo "SELECT Host FROM mysql.user WHERE User = 'root';" | sql root "$root" | while IFS= read -r host_; do
    set_root root "$(literal "$host_")"
  done
)
case "$statements" in
  *"'$user_literal'@"*) ;;
  *)
    echo "credential rotation ($phase): the database has no user $user; nothing was changed" >&2
    exit 4
    ;;
esac
printf '%s\n' "$statements" | sql root "$root" >/dev/null
if ! works root "$new_root" || ! works "$user" "$new_user"; then
  echo "credential rotation ($phase): the new passwords were set but do not log in; run \`pulumi up\`" \
    "again." >&2
  exit 5
fi
if [ -n "$keep_old" ]; then
  echo "credential rotation (open): root has its new password; $user accepts the old and the new one until its consumers switch"
else
  echo "credential rotation ($phase): the database's passwords are the new ones (root and $user), and only those"
fi
