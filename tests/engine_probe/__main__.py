"""A program the engine tier runs in place of the project's own: it writes the config the
language host hands it to $MOORINGS_PROBE_OUT and declares nothing."""

import json
import os

from pulumi.runtime import config as runtime_config

with open(os.environ["MOORINGS_PROBE_OUT"], "w", encoding="utf-8") as out:
    json.dump({**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}, out)
