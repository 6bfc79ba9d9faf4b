"""A name server that refuses every query at once, for a network namespace with no way out: there
the host's own server is unreachable, and every lookup the containers make (WordPress asks for
api.wordpress.org on its install page) waited for Docker's resolver to time out, 10 s a name,
where on the host it fails at once. Run in the namespace: `python -m tests.refusing_dns ADDRESS`."""

from __future__ import annotations

import socket
import sys

REFUSED = 5


def refusal(query: bytes) -> bytes:
    """The query's ID and question, flagged as an answer (recursion available) with RCODE REFUSED."""
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1  # the labels of the name
    question = query[12:end + 5]  # the name's zero byte, its type and class
    flags = 0x8000 | (int.from_bytes(query[2:4], "big") & 0x0100) | 0x0080 | REFUSED
    return query[:2] + flags.to_bytes(2, "big") + query[4:6] + b"\0\0\0\0\0\0" + question


def serve(address: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind((address, 53))
        while True:
            query, peer = server.recvfrom(4096)
            if len(query) >= 12:
                server.sendto(refusal(query), peer)


if __name__ == "__main__":
    serve(sys.argv[1])
