#!/bin/sh
for file in "$WORDPRESS_DB_PASSWORD_FILE" "$WORDPRESS_AUTH_KEY_FILE"; do
    [ -r "$file" ] || { echo "stand-in wordpress: cannot read '$file'" >&2; exit 1; }
done
mkdir -p /www && echo "stand-in WordPress login" > /www/wp-login.php
trap 'exit 0' TERM INT
httpd -f -p 80 -h /www &
wait
