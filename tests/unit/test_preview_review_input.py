"""What the command reads and how it answers: both JSON forms from a file or stdin, a stack's
own preview, and input that is not a preview (hand-written here: the only hand-written JSON),
which gets one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from preview_review.__main__ import main
from tests.preview_fixtures import path, settings_args

from tests.stack_config import ROOT
from tests.unit.fake_pulumi import fake_pulumi


def run(argv, stdin: str = "", capsys=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "stdin is empty: expected the output of `pulumi preview --json`"),
        ("not json at all", "stdin line 1 is not JSON"),
        ('{"steps": 3}', "stdin: `steps` is int, expected a list of steps"),
        ('{"hello": "world"}', "stdin is JSON but not a preview"),
        ('[1, 2]', "stdin is JSON but not a preview"),
        ('{"steps": [{"op": "update"}]}', "stdin: steps[0] has no urn"),
        ('{"steps": [{"op": "same", "urn": "u", "newState": {"inputs": 7}}]}', "stdin: steps[0].newState is not a resource state"),
        ('{"sequence": 0, "cancelEvent": {}}', "engine events without a resource step or a summary"),
        ('{"sequence": 0, "cancelEvent": {}}\n{"truncated', "stdin line 2 is not JSON"),
        ('{"sequence": 0, "resourcePreEvent": {"metadata": {"urn": "u"}}}', "stdin: event 0 has no op"),
        ('{"sequence": 0}\n["a list"]', "stdin line 2 is not an engine event"),
    ],
)
def test_input_that_is_not_a_preview_is_one_clear_error_and_exit_2(content, message, capsys, monkeypatch):
    code, out, err = run(["-"], content, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith("preview_review: error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_missing_file_is_a_clear_error(capsys):
    code, _, err = run(["/nonexistent/preview.json"], capsys=capsys)
    assert code == 2 and "No such file" in err and "Traceback" not in err


def test_unreadable_stack_settings_are_a_clear_error(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("config: [unclosed")
    code, _, err = run([str(path("k8s-scale-up")), "--settings-before", str(bad), "--settings-after", str(bad)], capsys=capsys)
    assert code == 2 and "cannot read stack settings" in err


def test_a_preview_on_stdin_is_reviewed_like_a_file(capsys, monkeypatch):
    code, out, _ = run(["-", "--format", "json"], path("k8s-scale-up").read_text(), capsys, monkeypatch)
    assert code == 0 and json.loads(out)["scaling"][0]["after"] == 3


@pytest.mark.parametrize("form", ["markdown", "text", "json"])
def test_every_output_form_carries_the_verdict(form, capsys):
    code, out, _ = run([str(path("k8s-scale-down")), "--format", form], capsys=capsys)
    assert code == 1 and "needs a second reviewer" in out


def test_json_output_names_its_sections(capsys):
    _, out, _ = run([str(path("k8s-secret-rotation")), "--format", "json"], capsys=capsys)
    document = json.loads(out)
    assert set(document) == {
        "stack", "form", "verdict", "exitCode", "reasons", "counts", "errors", "scaling",
        "scalingWarnings", "risks", "secrets", "policy", "changes",
    }
    assert document["exitCode"] == 1 and document["policy"]["reported"] is True


def test_output_goes_to_a_file_when_asked(capsys, tmp_path):
    target = tmp_path / "review.md"
    code, out, _ = run([str(path("k8s-scale-up")), "--format", "markdown", "--output", str(target)], capsys=capsys)
    assert code == 0 and out == "" and target.read_text().startswith("### Preview review: `staging`")


def test_the_command_runs_as_a_module_without_a_traceback_on_bad_input():
    done = subprocess.run(
        [sys.executable, "-m", "preview_review", "-"], input="{", capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and "preview_review: error:" in done.stderr


def test_with_a_stack_it_runs_the_streamed_preview_with_the_stacks_policy_pack(capsys, monkeypatch, tmp_path):
    log = fake_pulumi(tmp_path, path("k8s-policy-blocked"), exit_code=255)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    code, out, _ = run(["--stack", "staging", "--project", str(ROOT)], capsys=capsys)
    assert code == 2 and "replicas-within-bounds" in out
    assert log.read_text().strip() == (
        f"{ROOT}|true|true|true|preview --stack staging --json --policy-pack policies "
        "--policy-pack-config policies/config/staging.json"
    )


def test_with_a_stack_it_needs_the_stacks_policy_config(capsys):
    code, _, err = run(["--stack", "nosuch", "--project", str(ROOT)], capsys=capsys)
    assert code == 2 and "no policy config for stack 'nosuch'" in err


def test_a_preview_that_prints_nothing_is_a_clear_error(capsys, monkeypatch, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("")
    fake_pulumi(tmp_path, empty, exit_code=255)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    code, _, err = run(["--stack", "staging", "--project", str(ROOT)], capsys=capsys)
    assert code == 2 and "printed no JSON" in err


def test_settings_before_and_after_catch_a_knob_that_changes_nothing(capsys):
    args = [str(path("k8s-autoscaled-knob-ignored", "digest"))] + settings_args("k8s-autoscaled-knob-ignored")
    code, out, _ = run(args, capsys=capsys)
    assert code == 0 and "warning: wordpress.replicas 2 → 3 changes nothing in this preview" in out
