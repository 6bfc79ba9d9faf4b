"""The Markdown review of every real preview, compared with its golden file (reviewed by eye
once; MOORINGS_UPDATE_GOLDEN=1 rewrites them after a deliberate change)."""

from __future__ import annotations

import pytest

from preview_review.render_markdown import markdown
from tests.preview_fixtures import CASES, golden, reviewed


@pytest.mark.parametrize("case", CASES)
def test_markdown_review_matches_its_golden(case):
    actual = markdown(reviewed(case))
    expected = golden(f"{case}.md", actual)
    if expected is None:
        pytest.skip("golden rewritten")
    assert actual == expected
