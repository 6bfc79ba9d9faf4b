"""Where the official images write: the paths every builder mounts, whatever the platform.

On a read-only root filesystem the images write only to what is mounted for them: the volumes
that keep data, and scratch directories that live as long as the container (an emptyDir on
Kubernetes, a tmpfs on Docker). Read from the images' Dockerfiles and entrypoints:

MySQL (docker-library/mysql, Oracle Linux):
- /var/lib/mysql: the data (a volume);
- /var/run/mysqld: the socket and the pid file (the Dockerfile points my.cnf's socket there,
  mode 1777 "regardless of the UID our mysqld instance ends up having at runtime");
- /var/lib/mysql-files: secure-file-priv, which the entrypoint creates (`mkdir -p`) before start;
- /tmp: mysqld's tmpdir (sorts and temporary tables that spill to disk).

WordPress (docker-library/wordpress, FROM php:<v>-apache):
- /var/www/html: docker-entrypoint.sh copies WordPress from /usr/src/wordpress into it at
  every start of an empty directory and writes wp-config.php there (the image declares it a
  VOLUME): scratch, so WordPress itself always comes from the image; wp-content below it is
  the volume that keeps themes, plugins and uploads.
- /var/run/apache2 and /var/lock/apache2 (APACHE_RUN_DIR, APACHE_LOCK_DIR): Apache's pid file,
  its cgisock directory and its file mutex (Debian's apache2.conf: `Mutex file:${APACHE_LOCK_DIR}`).
- /tmp: PHP's sessions and uploads in progress (no session.save_path or upload_tmp_dir set).
Apache's logs are symlinks to /dev/stdout and /dev/stderr: no write reaches the root filesystem.
"""

from __future__ import annotations

from typing import NamedTuple

MYSQL_DATA_DIR = "/var/lib/mysql"
DOCUMENT_ROOT = "/var/www/html"
WP_CONTENT_DIR = f"{DOCUMENT_ROOT}/wp-content"


class Scratch(NamedTuple):
    """A writable directory that starts empty at every container start."""

    path: str
    size: str
    """Most it may hold, as a Kubernetes quantity (Mi, Gi)."""
    name: str
    """Its volume's name where the platform names one (Kubernetes)."""


MYSQL_SCRATCH = (
    Scratch("/var/run/mysqld", "8Mi", "mysqld-run"),
    Scratch("/var/lib/mysql-files", "64Mi", "mysql-files"),
    Scratch("/tmp", "1Gi", "tmp"),
)
WORDPRESS_SCRATCH = (
    Scratch(DOCUMENT_ROOT, "256Mi", "wordpress-root"),  # WordPress's files: about 80 MB
    Scratch("/var/run/apache2", "8Mi", "apache-run"),
    Scratch("/var/lock/apache2", "8Mi", "apache-lock"),
    Scratch("/tmp", "256Mi", "tmp"),
)
