"""The real engine's previews under tests/fixtures/previews/ (scripts/regenerate_preview_fixtures.py)
and the golden reviews beside them. MOORINGS_UPDATE_GOLDEN=1 rewrites the goldens: read the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

from preview_review.load import load
from preview_review.model import Preview
from preview_review.review import Review, review
from preview_review.stack_settings import stack_settings

PREVIEWS = Path(__file__).parent / "fixtures" / "previews"
GOLDEN = PREVIEWS / "golden"
CASES = sorted(p.name.removesuffix(".exit") for p in PREVIEWS.glob("*.exit"))
FORMS = {"digest": ".json", "events": ".events.jsonl"}


def path(case: str, form: str = "events") -> Path:
    return PREVIEWS / f"{case}{FORMS[form]}"


def preview(case: str, form: str = "events") -> Preview:
    return load(path(case, form).read_text(), path(case, form).name)


def settings_args(case: str) -> list[str]:
    before, after = PREVIEWS / f"{case}.before.yaml", PREVIEWS / f"{case}.after.yaml"
    return ["--settings-before", str(before), "--settings-after", str(after)] if before.exists() else []


def reviewed(case: str, form: str = "events") -> Review:
    before, after = PREVIEWS / f"{case}.before.yaml", PREVIEWS / f"{case}.after.yaml"
    settings = stack_settings(before, after) if before.exists() else stack_settings(None, None)
    return review(preview(case, form), settings)


def engine_exit(case: str) -> int:
    return int((PREVIEWS / f"{case}.exit").read_text())


def digest(case: str) -> dict:
    return json.loads(path(case, "digest").read_text())


def golden(name: str, actual: str) -> Optional[str]:
    """The golden text, or None after writing it (MOORINGS_UPDATE_GOLDEN=1)."""
    file = GOLDEN / name
    if os.environ.get("MOORINGS_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        file.write_text(actual)
        return None
    return file.read_text()
