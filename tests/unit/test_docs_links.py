"""The docs hold together: every relative Markdown link in README.md and docs/**/*.md names a
file that exists, and README.md stays a short front door (at most 400 lines)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.stack_config import ROOT

# The front door, the docs, and the READMEs of the folders they send readers to.
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), ROOT / "images" / "README.md", ROOT / "toolchain" / "README.md", ROOT / "CHANGELOG.md"]
README_MAX_LINES = 400

# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis
# (an optional "title" after it is ignored).
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`[^`]*`")


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every link outside fenced code blocks and code spans."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in LINK.finditer(CODE_SPAN.sub("", line)):
            found.append((number, match.group(1)))
    return found


def missing_targets(page: Path) -> list[tuple[int, str]]:
    """(line number, target) of every relative link whose file does not exist."""
    missing = []
    for number, target in links(page.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # http(s), mailto and other schemes; anchors within the page
        path = target.split("#", 1)[0].split("?", 1)[0]
        if not (page.parent / path).exists():
            missing.append((number, target))
    return missing


def test_the_pages_are_found():
    assert ROOT / "docs" / "README.md" in PAGES
    assert len(PAGES) > 2


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_names_a_file_that_exists(page):
    assert [f"{page.relative_to(ROOT)}:{number}: {target}" for number, target in missing_targets(page)] == []


def test_the_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("")
    page.write_text(
        "[ok](there.md#a) [web](https://example.com/x) [anchor](#top) `[code](gone.md)`\n"
        "```\n[fenced](gone.md)\n```\n"
        "[gone](missing.md#part) ![img](images/none.png)\n"
    )
    assert [target for _, target in links(page.read_text())] == [
        "there.md#a",
        "https://example.com/x",
        "#top",
        "missing.md#part",
        "images/none.png",
    ]
    assert missing_targets(page) == [(5, "missing.md#part"), (5, "images/none.png")]


def test_the_readme_is_a_short_front_door():
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/ (at most {README_MAX_LINES})"
