"""The Markdown review of every real preview, compared with its golden file (reviewed by eye
once; MOORINGS_UPDATE_GOLDEN=1 rewrites them after a deliberate change)."""

from __future__ import annotations


import pytest

from preview_review.render_markdown import markdown
from tests.preview_fixtures import CASES, golden, reviewed
from tests.stack_config import ROOT


@pytest.mark.parametrize("case", CASES)
def test_markdown_review_matches_its_golden(case):
    actual = markdown(reviewed(case))
    expected = golden(f"{case}.md", actual)
    if expected is None:
        pytest.skip("golden rewritten")
    assert actual == expected


@pytest.mark.parametrize("case", ["k8s-scale-up", "k8s-secret-rotation"])
def test_the_reviewer_docs_show_the_golden_review(case):
    """docs/reviewers/preview-review.md quotes these reviews as a pull request shows them."""
    docs = (ROOT / "docs" / "reviewers" / "preview-review.md").read_text()
    quoted = docs.split(f"<!-- review:{case} -->\n", 1)[1].split("<!-- /review -->", 1)[0]
    unquoted = "\n".join(line.removeprefix(">").removeprefix(" ") for line in quoted.rstrip("\n").splitlines())
    assert unquoted + "\n" == markdown(reviewed(case))
