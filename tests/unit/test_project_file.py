"""Pulumi.yaml declares every setting the program reads, with the program's own defaults."""

import pytest

from stacks.settings import settings_from
from stacks.settings.reader import ConfigReader
from tests.stack_config import committed_stacks, project_file, stack_file

# Declaring these would make them required (no default) or cannot be typed (objects).
UNDECLARED = {"mysqlRootPassword", "mysqlPassword"}  # plus open maps (services, swarm.hosts): not "known" keys


def keys_the_program_reads():
    seen = {}
    original = ConfigReader.finish

    def capture(self):
        seen["known"] = set(self._known)
        original(self)

    ConfigReader.finish = capture
    try:
        settings_from({}, "dev")
    finally:
        ConfigReader.finish = original
    return seen["known"]


def test_project_settings():
    project = project_file()
    assert project["name"] == "moorings"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "venv"
    assert project["stackConfigDir"] == "stacks"


def test_every_scalar_key_is_declared_with_type_default_and_description():
    declared = project_file()["config"]
    assert set(declared) == keys_the_program_reads() - UNDECLARED
    for key, declaration in declared.items():
        assert declaration["type"] in ("string", "integer", "boolean"), key
        assert "default" in declaration, key
        assert declaration["description"].strip(), key


def test_declared_defaults_are_the_programs_defaults():
    """Running with only the project defaults gives the same settings as running with none."""
    defaults = {}
    for key, declaration in project_file()["config"].items():
        top, *rest = key.split(".")
        node = defaults.setdefault(f"moorings:{top}", {}) if rest else None
        if rest:
            node[rest[-1]] = declaration["default"]
        else:
            defaults[f"moorings:{top}"] = str(declaration["default"])
    import json

    raw = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in defaults.items()}
    assert settings_from(raw, "dev") == settings_from({}, "dev")


@pytest.mark.parametrize("stack", committed_stacks())
def test_stack_files_use_only_the_project_namespace_or_providers(stack):
    keys = stack_file(stack).get("config") or {}
    assert all(k.split(":")[0] in ("moorings", "docker", "kubernetes", "command") for k in keys)
