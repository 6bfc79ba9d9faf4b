"""Read `pulumi preview --json` in either of the CLI's forms into a `Preview`.

- The digest (the default): one JSON object with `steps` (one per resource: `op`, `urn`,
  `oldState`/`newState` with their `inputs`, `detailedDiff`, `diffReasons`, `replaceReasons`),
  `diagnostics` and `changeSummary`. It leaves policy violations out.
- The event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true): one engine event a line.
  Each step is a `resourcePreEvent` (`metadata`: `op`, `urn`, `old`/`new`, `diffs`, `keys`,
  `detailedDiff`); a replacement is three steps (create-replacement, replace, delete-replaced);
  policy violations are `policyEvent`s; `summaryEvent.result` says whether the preview failed.

Anything else is refused with a `MalformedPreview` that says what was expected.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from preview_review.model import Change, Diagnostic, Preview, Violation

# The stream's extra steps of a replacement; its `replace` step stands for all three.
REPLACEMENT_PARTS = {"create-replacement", "delete-replaced", "discard-replaced"}


class MalformedPreview(ValueError):
    """The input is not a preview the engine printed with --json."""


def load(text: str, source: str = "input") -> Preview:
    stripped = text.strip()
    if not stripped:
        raise MalformedPreview(f"{source} is empty: expected the output of `pulumi preview --json`")
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        return _events(_lines(stripped, source), source)
    if isinstance(document, dict) and "steps" in document:
        return _digest(document, source)
    if isinstance(document, dict) and _is_event(document):
        return _events([document], source)
    raise MalformedPreview(
        f"{source} is JSON but not a preview: expected an object with `steps` (pulumi preview --json) "
        "or engine events, one a line (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true)"
    )


def _lines(text: str, source: str) -> list[dict[str, Any]]:
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise MalformedPreview(
                f"{source} line {number} is not JSON ({error.msg}): expected the output of `pulumi preview --json`"
            ) from None
        if not isinstance(event, dict) or not _is_event(event):
            raise MalformedPreview(f"{source} line {number} is not an engine event (no `sequence`)")
        events.append(event)
    return events


def _is_event(value: dict[str, Any]) -> bool:
    return "sequence" in value


def _digest(document: dict[str, Any], source: str) -> Preview:
    steps = document.get("steps")
    if not isinstance(steps, list):
        raise MalformedPreview(f"{source}: `steps` is {type(steps).__name__}, expected a list of steps")
    changes = []
    for index, step in enumerate(steps):
        where = f"{source}: steps[{index}]"
        _require(step, ("op", "urn"), where)
        old, new = step.get("oldState") or {}, step.get("newState") or {}
        changes.append(
            Change(
                op=step["op"],
                urn=step["urn"],
                old_inputs=_inputs(old, where, "oldState"),
                new_inputs=_inputs(new, where, "newState"),
                protected=bool(old.get("protect") or new.get("protect")),
                custom=bool((new or old).get("custom", True)),
                diff_reasons=tuple(step.get("diffReasons") or ()),
                replace_reasons=tuple(step.get("replaceReasons") or ()),
                detailed_diff=_detailed(step.get("detailedDiff")),
            )
        )
    errors = [
        Diagnostic(d.get("severity", ""), _strip_prefix(d.get("message", "")), d.get("urn"))
        for d in _list(document.get("diagnostics"))
        if isinstance(d, dict) and d.get("severity") == "error"
    ]
    counts = _counts(document.get("changeSummary"), changes)
    return Preview("digest", tuple(changes), (), _without_generic_failure(errors), policy_reported=False, counts=counts)


def _events(events: list[dict[str, Any]], source: str) -> Preview:
    steps: dict[str, Change] = {}
    violations, errors, result, summary = [], [], None, None
    for event in events:
        if "resourcePreEvent" in event:
            metadata = (event["resourcePreEvent"] or {}).get("metadata")
            where = f"{source}: event {event.get('sequence')}"
            _require(metadata, ("op", "urn"), where)
            if metadata["op"] in REPLACEMENT_PARTS and metadata["urn"] in steps:
                continue
            old, new = metadata.get("old") or {}, metadata.get("new") or {}
            op = "replace" if metadata["op"] in REPLACEMENT_PARTS else metadata["op"]
            if steps.get(metadata["urn"]) and op != "replace":
                continue
            steps[metadata["urn"]] = Change(
                op=op,
                urn=metadata["urn"],
                old_inputs=_inputs(old, where, "old"),
                new_inputs=_inputs(new, where, "new") if metadata["op"] != "delete-replaced" else None,
                protected=bool(old.get("protect") or new.get("protect")),
                custom=bool((new or old).get("custom", False)),
                diff_reasons=tuple(metadata.get("diffs") or ()),
                replace_reasons=tuple(metadata.get("keys") or ()) if op == "replace" else (),
                detailed_diff=_detailed(metadata.get("detailedDiff")),
            )
        elif "policyEvent" in event:
            policy = event["policyEvent"] or {}
            violations.append(
                Violation(
                    policy=policy.get("policyName", "?"),
                    level=policy.get("enforcementLevel", "?"),
                    urn=policy.get("resourceUrn") or None,
                    message=(policy.get("message") or "").strip(),
                )
            )
        elif "diagnosticEvent" in event:
            diagnostic = event["diagnosticEvent"] or {}
            if diagnostic.get("severity") == "error":
                errors.append(Diagnostic("error", (diagnostic.get("message") or "").strip(), diagnostic.get("urn")))
        elif "summaryEvent" in event:
            result = (event["summaryEvent"] or {}).get("result")
            summary = (event["summaryEvent"] or {}).get("resourceChanges")
    if not steps and result is None:
        raise MalformedPreview(f"{source}: engine events without a resource step or a summary: not a preview")
    if result == "failed" and not errors:
        errors.append(Diagnostic("error", "preview failed"))
    changes = tuple(steps.values())
    violations.sort(key=lambda v: (v.level != "mandatory", v.policy, v.urn or "", v.message))
    counts = _counts(summary, changes)
    return Preview("events", changes, tuple(violations), _without_generic_failure(errors), policy_reported=True, counts=counts)


def _counts(summary: Any, changes: Iterable[Change]) -> dict[str, int]:
    if isinstance(summary, dict) and all(isinstance(n, int) for n in summary.values()):
        return dict(summary)
    counted: dict[str, int] = {}
    for change in changes:
        counted[change.op] = counted.get(change.op, 0) + 1
    return counted


def _without_generic_failure(errors: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """"preview failed" says nothing the other errors do not, when there are others."""
    specific = [e for e in errors if e.message != "preview failed"]
    return tuple(specific or errors)


def _require(value: Any, keys: Iterable[str], where: str) -> None:
    if not isinstance(value, dict):
        raise MalformedPreview(f"{where} is {type(value).__name__}, expected an object")
    missing = [key for key in keys if not isinstance(value.get(key), str)]
    if missing:
        raise MalformedPreview(f"{where} has no {', '.join(missing)}")


def _inputs(state: Any, where: str, key: str) -> Optional[dict[str, Any]]:
    if not state:
        return None
    if not isinstance(state, dict) or not isinstance(state.get("inputs", {}), dict):
        raise MalformedPreview(f"{where}.{key} is not a resource state with `inputs`")
    return state.get("inputs") or {}


def _detailed(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    # The digest names the kind `kind`, the event stream `diffKind`.
    return {
        path: diff.get("kind") or diff.get("diffKind") or "update"
        for path, diff in value.items()
        if isinstance(diff, dict)
    }


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _strip_prefix(message: str) -> str:
    message = message.strip()
    for prefix in ("error: ", "warning: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message
