#!/bin/sh
# Inside the running MySQL (or MariaDB) container: set root's and USER's passwords to the new
# values on stdin (root's first, then USER's), authenticating as root with the password this
# container started with (its MYSQL_ROOT_PASSWORD_FILE), or with the new one when an earlier,
# interrupted rotation got that far. A second run with the same values changes nothing.
# Usage: set_passwords.sh USER   (rotate_credentials.sh runs it through `docker exec -i`)
# Passwords go to the client in MYSQL_PWD and in SQL on its stdin: never on a command line.
# Over TCP, not the socket: there MariaDB lets the container's root in without any password
# (unix_socket), which would prove nothing about the passwords.
set -eu
user=$1
IFS= read -r new_root
IFS= read -r new_user
client=$(command -v mariadb || command -v mysql)
current_file=${MARIADB_ROOT_PASSWORD_FILE:-${MYSQL_ROOT_PASSWORD_FILE:-}}

sql() {  # sql USER PASSWORD: run stdin's SQL as USER over the local socket
  MYSQL_PWD=$2 "$client" --protocol=tcp -h 127.0.0.1 -u"$1" -N -B
}
works() {  # works USER PASSWORD
  echo 'SELECT 1' | sql "$1" "$2" >/dev/null 2>&1
}
literal() {  # the value as the inside of an SQL string literal
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"
}

if ! mysqladmin --protocol=tcp -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "credential rotation: MySQL does not answer in its container; nothing was changed. Once it" \
    "answers, run \`pulumi up\` again to finish the rotation." >&2
  exit 3
fi

if works root "$new_root"; then
  root=$new_root
elif [ -n "$current_file" ] && [ -r "$current_file" ] && works root "$(cat "$current_file")"; then
  root=$(cat "$current_file")
else
  echo "credential rotation: the database accepts neither the root password its container started" \
    "with nor the new one; nothing was changed and every consumer still uses the old values." \
    "Set mysqlRootPassword back to the value the database has (\`pulumi config set --secret" \
    "mysqlRootPassword ...\`) and run \`pulumi up\` again." >&2
  exit 4
fi

if [ "$root" = "$new_root" ] && works "$user" "$new_user"; then
  echo "credential rotation: the database already has the new passwords"
  exit 0
fi

user_literal=$(literal "$user")
new_user_literal=$(literal "$new_user")
new_root_literal=$(literal "$new_root")
if echo 'SELECT VERSION()' | sql root "$root" | grep -qi mariadb; then
  set_to() { echo "SET PASSWORD FOR '$1'@'$2' = PASSWORD('$3');"; }  # keeps root's unix_socket login
else
  set_to() { echo "ALTER USER '$1'@'$2' IDENTIFIED BY '$3';"; }
fi
# Root last: the session is already in, and a rerun finds root's new password working.
statements=$(
  echo "SELECT Host FROM mysql.user WHERE User = '$user_literal';" | sql root "$root" | while IFS= read -r host; do
    set_to "$user_literal" "$(literal "$host")" "$new_user_literal"
  done
  echo "SELECT Host FROM mysql.user WHERE User = 'root';" | sql root "$root" | while IFS= read -r host; do
    set_to root "$(literal "$host")" "$new_root_literal"
  done
)
case "$statements" in
  *"'$user_literal'@"*) ;;
  *)
    echo "credential rotation: the database has no user $user; nothing was changed" >&2
    exit 4
    ;;
esac
printf '%s\n' "$statements" | sql root "$root" >/dev/null
if ! works root "$new_root" || ! works "$user" "$new_user"; then
  echo "credential rotation: the new passwords were set but do not log in; the consumers still use" \
    "the old ones. Run \`pulumi up\` again." >&2
  exit 5
fi
echo "credential rotation: the database's passwords are the new ones (root and $user)"
