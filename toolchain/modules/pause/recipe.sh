# pause, the pod sandbox's process (main.go, standard library only), static (CGO_ENABLED=0 by
# build.sh) so that it runs alone in an image FROM scratch (tests/node_images.py).
version="1.0.0"
requires=""  # the standard library only
binaries=("pause=.")
ldflags="-s -w"
