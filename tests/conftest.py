"""Tests import the project the way the Pulumi language host runs it: from the repository root."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
