"""The pack's wiring: entry point, project file, requirements, and the per-stack policy configs."""

import re
import runpy

import pulumi_docker as docker
import pulumi_policy
import pytest
import yaml

import moorings_policies
from tests.policy_harness import POLICIES_DIR, PolicyConfigError, check, configure_request, pack_servicer, policy_config_file
from tests.stack_config import ROOT, committed_stacks

NAMES = [p.name for p in moorings_policies.POLICIES]
CONFIGS = sorted(p.stem for p in (POLICIES_DIR / "config").glob("*.json"))


def test_the_entry_point_builds_the_pack_from_the_rules_module_and_nothing_else(monkeypatch):
    built = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.append(kwargs))
    runpy.run_path(str(POLICIES_DIR / "__main__.py"))
    assert built == [
        {
            "name": "moorings",
            "enforcement_level": pulumi_policy.EnforcementLevel.MANDATORY,
            "policies": moorings_policies.POLICIES,
        }
    ]


def test_the_pack_runs_python_in_its_own_virtualenv():
    project = yaml.safe_load((POLICIES_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])


def test_the_pack_requires_the_sdk_releases_the_project_pins():
    def pins(path):
        lines = [l.split("#")[0].strip() for l in path.read_text().splitlines()]
        return {re.split(r"[=~<>]", l)[0]: l for l in lines if l}

    pack, project = pins(POLICIES_DIR / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert set(pack) == {"pulumi", "pulumi-policy"}
    assert {name: project[name] for name in pack} == pack


def test_policy_names_are_unique_kebab_case_and_described():
    assert len(set(NAMES)) == len(NAMES) == 21
    for policy in moorings_policies.POLICIES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", policy.name)
        assert policy.description.endswith(".")


def test_every_committed_stack_has_a_policy_config():
    assert set(committed_stacks()) <= set(CONFIGS)


@pytest.mark.parametrize("stack", CONFIGS)
def test_a_policy_config_sets_a_level_for_every_rule_and_nothing_else(stack):
    assert sorted(policy_config_file(stack)) == sorted(NAMES)


@pytest.mark.parametrize("stack", CONFIGS)
def test_a_policy_config_is_one_the_cli_accepts(stack):
    configure_request(pack_servicer(), policy_config_file(stack))  # raises PolicyConfigError otherwise


@pytest.mark.parametrize("stack", CONFIGS)
def test_a_disabled_rule_says_why(stack):
    for name, entry in policy_config_file(stack).items():
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel")
        if level == "disabled":
            assert isinstance(entry, dict) and entry.get("_why", "").strip(), f"{stack}: {name} is disabled without a _why"


def test_production_enforces_every_rule():
    levels = {n: e if isinstance(e, str) else e["enforcementLevel"] for n, e in policy_config_file("prod").items()}
    assert set(levels.values()) == {"mandatory"}


def test_a_config_the_schema_refuses_is_refused_before_anything_runs():
    servicer = pack_servicer()
    with pytest.raises(PolicyConfigError) as refused:
        configure_request(servicer, {"replicas-within-bounds": {"min": "two"}, "image-pinned": "blocking"})
    assert refused.value.args == (
        ['parsing enforcement level for "image-pinned": "blocking" is not a valid enforcement level'],
    )
    with pytest.raises(PolicyConfigError) as refused:
        configure_request(servicer, {"replicas-within-bounds": {"min": "two"}})
    assert refused.value.args == (["replicas-within-bounds: 'two' is not of type 'integer'"],)


def test_the_policy_docs_quote_a_violation_the_pack_really_reports():
    docs = (ROOT / "docs" / "policy-authors" / "policy-pack.md").read_text()
    quoted = docs.split("<!-- policy-violation-example -->\n```\n", 1)[1].split("\n```\n<!-- /policy-violation-example -->", 1)[0]
    violations = check(lambda: docker.RemoteImage("latest", name="mysql:latest"))
    assert [v.text for v in violations] == [quoted]
