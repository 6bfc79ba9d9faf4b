"""The pull-request side: which stacks a change touches, the one comment and its marker, and
scripts/pr-review.sh end to end with a stand-in `pulumi` that prints a real preview."""

from __future__ import annotations

import json
import os
import subprocess

from preview_review.pull_request import MARKER, comment_body, find_comment, stacks_touched
from tests.preview_fixtures import path
from tests.unit.fake_pulumi import fake_pulumi

from tests.stack_config import ROOT
STACKS = ["dev", "prod", "staging", "swarm"]


def test_a_stack_file_touches_its_stack():
    assert stacks_touched(["stacks/Pulumi.staging.yaml"], STACKS) == ["staging"]


def test_a_policy_config_touches_its_stack():
    assert stacks_touched(["policies/config/prod.json"], STACKS) == ["prod"]


def test_program_or_policy_code_touches_every_stack():
    for changed in ("moorings/secret_bundle.py", "stacks/settings/kubernetes.py", "policies/moorings_policies/core.py", "Pulumi.yaml"):
        assert stacks_touched([changed], STACKS) == STACKS


def test_docs_tests_and_ci_touch_no_stack():
    assert stacks_touched(["README.md", "tests/unit/test_dev_stack.py", ".github/workflows/preview-review.yml", ""], STACKS) == []


def test_a_stack_file_of_an_unknown_stack_touches_nothing():
    assert stacks_touched(["stacks/Pulumi.gone.yaml"], STACKS) == []


def test_the_comment_starts_with_its_marker_and_a_verdict_per_stack():
    body = comment_body({"staging": ("### Preview review: `staging`\n", 1), "prod": ("### Preview review: `prod`\n", 0)})
    assert body.splitlines()[:5] == [
        MARKER,
        "## Infrastructure review",
        "",
        "- `prod`: clear",
        "- `staging`: needs a second reviewer",
    ]


def test_the_comment_says_when_no_stack_is_touched():
    assert "touches no stack" in comment_body({})


def test_the_marked_comment_is_found_among_others():
    comments = [{"id": 1, "body": "LGTM"}, {"id": 7, "body": f"{MARKER}\n## Infrastructure review"}]
    assert find_comment(json.dumps(comments)) == 7
    assert find_comment("\n".join(json.dumps(c) for c in comments)) == 7  # gh --paginate --jq '.[]'
    assert find_comment(json.dumps(comments[:1])) is None and find_comment("") is None


def test_pr_review_reviews_each_touched_stack_into_one_comment(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = fake_pulumi(bin_dir, path("k8s-scale-down"))
    changed = tmp_path / "changed.txt"
    changed.write_text("stacks/Pulumi.staging.yaml\nREADME.md\n")
    out = tmp_path / "review"
    done = subprocess.run(
        ["bash", "scripts/pr-review.sh", "HEAD", str(changed), str(out)],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert len(log.read_text().splitlines()) == 1  # staging only
    comment = (out / "comment.md").read_text()
    assert comment.startswith(MARKER) and "- `staging`: needs a second reviewer" in comment
    assert "demo Deployment (moorings-staging): 3 → 1" in comment
    assert (out / "stacks" / "staging.exit").read_text().strip() == "1"


def test_the_workflow_runs_the_tested_scripts():
    workflow = (ROOT / ".github" / "workflows" / "preview-review.yml").read_text()
    assert "scripts/pr-review.sh" in workflow and "scripts/post-pr-comment.sh" in workflow
    assert "preview_review.pull_request find-comment" in (ROOT / "scripts" / "post-pr-comment.sh").read_text()
