"""The real node's CoreDNS is built with only the plugins its Corefile names
(toolchain/modules/coredns/main.go): a directive missing there makes CoreDNS refuse the
Corefile at the node's start, a cluster-tier failure found here in a second instead."""

from __future__ import annotations

import re
from pathlib import Path

from tests.node_dns import COREFILE

MAIN = Path(__file__).parents[2] / "toolchain" / "modules" / "coredns" / "main.go"


def corefile_directives(corefile: str) -> set[str]:
    """The first word of each line inside the server block, nested blocks' options left out."""
    found, depth = set(), 0
    for line in corefile.splitlines():
        words = line.split()
        if depth == 1 and words and words[0] != "}":
            found.add(words[0])
        depth += line.count("{") - line.count("}")
    return found


def built_directives() -> list[str]:
    listed = re.search(r"var directives = \[\]string\{(.*?)\}", MAIN.read_text(), re.S)
    assert listed, f"no `var directives` in {MAIN}"
    return re.findall(r'"([a-z0-9_]+)"', listed.group(1))


def imported_plugins() -> set[str]:
    return set(re.findall(r'_ "github.com/coredns/coredns/plugin/([a-z0-9_]+)"', MAIN.read_text()))


def test_every_directive_of_the_corefile_is_built_in():
    assert corefile_directives(COREFILE) == {"errors", "health", "ready", "kubernetes", "cache"}
    assert corefile_directives(COREFILE) <= set(built_directives())


def test_every_built_directive_is_imported_and_nothing_else_is():
    assert set(built_directives()) == imported_plugins()
