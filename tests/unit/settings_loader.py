"""Settings read from config as the program reads them, for the settings tests of every platform."""

import pytest

from stacks.settings import ConfigError, settings_from


def load(config=None, stack="dev", secret_keys=()):
    raw = {(k if ":" in k else f"moorings:{k}"): v for k, v in (config or {}).items()}
    return settings_from(raw, stack, frozenset(f"moorings:{k}" for k in secret_keys))


def problems(config, **kwargs):
    with pytest.raises(ConfigError) as raised:
        load(config, **kwargs)
    return raised.value.problems
