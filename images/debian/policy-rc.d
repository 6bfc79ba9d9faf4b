#!/bin/sh
# moorings-local/debian:bookworm: no service is started while a package is installed (a
# container has no init; the image's own entrypoint starts its one program).
exit 101
