"""A TCP port of 127.0.0.1 forwarded into a network namespace the test made: what a person's
browser on that host would reach. The engine of a test namespace publishes on the namespace's own
127.0.0.1, which this process cannot reach; each accepted connection is carried by a thread that
first joins the namespace (setns acts on the calling thread only), connects there, and copies
bytes both ways. Standard library and libc only."""

from __future__ import annotations

import ctypes
import os
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Optional

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def join_netns(path: Path) -> None:
    """The calling thread enters the network namespace at `path`."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns {path}: {os.strerror(error)}")
    finally:
        os.close(fd)


class NetnsForward:
    """127.0.0.1:`port` here -> 127.0.0.1:`port` in the namespace at `netns`, while open."""

    def __init__(self, netns: Path, port: int):
        self.netns, self.port = netns, port
        self.listener = socket.create_server(("127.0.0.1", port))
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name=f"forward-{port}").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._carry, args=(client,), daemon=True).start()

    def _carry(self, client: socket.socket) -> None:
        try:
            join_netns(self.netns)  # this thread only, for the rest of its life
            upstream = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        except OSError:
            client.close()  # the visitor sees the connection closed, as with nothing listening
            return
        upstream.settimeout(None)
        threading.Thread(target=_copy, args=(upstream, client), daemon=True).start()
        _copy(client, upstream)

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def __enter__(self) -> "NetnsForward":
        return self

    def __exit__(self, kind: Optional[type], value: Optional[BaseException], trace: Optional[TracebackType]) -> None:
        self.close()


def _copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        source.close()
