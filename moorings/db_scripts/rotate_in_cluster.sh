#!/bin/sh
# Kubernetes: rotate the database's credentials from a Job pod beside the running MySQL, in the
# two phases of set_passwords.sh: `open` after the new Secret exists and before the StatefulSet
# and the Deployment roll to it, `close` once they have (WordPressStack declares that order).
# The Job mounts the new Secret at NEW and the stack's record of the passwords the database had
# (the Secret `mysql-credentials`, written after each open) at RECORD, optional: on a first
# install there is no record and no database yet, and the image initialises the database from
# the new Secret.
# Usage: rotate_in_cluster.sh USER PHASE NEW RECORD SET_PASSWORDS_SCRIPT   (MYSQL_HOST: the Service)
# The passwords are read from files and reach set_passwords.sh on its stdin only.
set -eu
user=$1
phase=$2
new=$3
record=$4
set_passwords=$5
root_file=mysql-root-password
user_file=mysql-password

answers() {
  mysqladmin --protocol=tcp -h "$MYSQL_HOST" --connect-timeout=5 ping >/dev/null 2>&1
}
# A new pod may run before the cluster's NetworkPolicy enforcer admits it to MySQL (Kubernetes
# documents this for any enforcer: pods must tolerate it): its first connections are refused for
# a moment. While the Service names a ready MySQL pod (its name resolves), the Job asks again for
# up to MYSQL_WAIT seconds; a name that does not resolve is no database, and is not waited for.
waited=0
while ! answers && getent hosts "$MYSQL_HOST" >/dev/null 2>&1 && [ "$waited" -lt "${MYSQL_WAIT:-60}" ]; do
  sleep 2
  waited=$((waited + 2))
done

if [ "$phase" = close ]; then
  record=$new  # the consumers have switched: the new values are the current ones
elif [ ! -r "$record/$root_file" ]; then
  if ! answers; then
    echo "credential rotation: no record of earlier passwords and no database answering ($MYSQL_HOST): a first install, initialised with the new values"
    exit 0
  fi
  # A database from before the record existed: only the new root password can be tried.
  record=$new
fi
{ cat "$new/$root_file"; echo; cat "$new/$user_file"; echo; } \
  | MYSQL_ROOT_PASSWORD_FILE="$record/$root_file" MYSQL_PASSWORD_FILE="$record/$user_file" \
    sh -c "$set_passwords" set_passwords "$user" "$phase"
