#!/bin/sh
# The real entrypoint's root phase, in the document root (the WORKDIR): hand a root-owned
# directory to www-data, copy WordPress in as www-data's files (the tar pipeline sets owner,
# then mode), write wp-config.php; then Apache's way: bind port 80 as root, serve as www-data.
set -e
for file in "$WORDPRESS_DB_PASSWORD_FILE" "$WORDPRESS_AUTH_KEY_FILE"; do
    [ -r "$file" ] || { echo "stand-in wordpress: cannot read '$file'" >&2; exit 1; }
done
if [ ! -e wp-login.php ]; then
    if [ "$(stat -c '%u:%g' .)" = '0:0' ]; then chown www-data:www-data .; fi
    tar -C /usr/src/wordpress -cf - . | tar -xf -
fi
[ -s wp-config.php ] || { echo "<?php // stand-in" > wp-config.php && chown www-data:www-data wp-config.php; }
echo $$ > /var/run/apache2/apache2.pid
trap 'exit 0' TERM INT
httpd -f -p 80 -u www-data:www-data -h /var/www/html &
wait
