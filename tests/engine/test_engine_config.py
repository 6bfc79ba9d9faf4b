"""The fast tier feeds the program its config the way the real CLI does (DESIGN: two tiers, one
truth): for every committed stack, what the language host hands over equals tests/stack_config."""

import json

import pytest

from tests.pulumi_engine import EngineProject, require_engine
from tests.stack_config import ROOT, committed_stacks, stack_config

pytestmark = [pytest.mark.engine, pytest.mark.kubernetes_provider]


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    require_engine()
    project = EngineProject(tmp_path_factory.mktemp("probe"))
    (project.dir / "__main__.py").write_text((ROOT / "tests" / "engine_probe" / "__main__.py").read_text())
    return project


def handed_over(project: EngineProject, stack: str) -> dict:
    out = project.dir / f"config-{stack}.json"
    project.init(stack)
    project.pulumi("preview", "-s", stack, env={"MOORINGS_PROBE_OUT": str(out)})
    return json.loads(out.read_text())


def as_mocks_feed(config: dict) -> dict:
    """tests/harness.py's encoding: objects as JSON text, scalars as text."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def decoded(config: dict) -> dict:
    """Objects parsed, so that key order and spacing do not count."""
    return {key: json.loads(text) if text[:1] in "{[" else text for key, text in config.items()}


@pytest.mark.parametrize("stack", committed_stacks())
def test_the_mocks_get_the_config_the_cli_hands_the_program(probe, stack):
    assert decoded(as_mocks_feed(stack_config(stack))) == decoded(handed_over(probe, stack))
