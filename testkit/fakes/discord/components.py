"""How Discord treats message components: walking nested layouts (rows, sections, labels),
numbering component ids on stored messages, and mirroring a modal's layout in its submit.
Shared by validation, the message store and the interaction driver."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from testkit.fakes.discord.models import JSON


def walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    """Every component, nested ones included (rows, sections' accessories, labels' components), in
    document order: the ones Discord numbers and validates."""
    for comp in components:
        yield comp
        yield from walk_components(comp.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                yield from walk_components([comp[key]])


def number_components(components: list[JSON]) -> list[JSON]:
    """Discord gives every component a numeric ``id`` (unique per message) if it lacks one."""
    copied: list[JSON] = json.loads(json.dumps(components))
    used = {c["id"] for c in walk_components(copied) if isinstance(c.get("id"), int)}
    counter = 0
    for comp in walk_components(copied):
        if not isinstance(comp.get("id"), int):
            counter += 1
            while counter in used:
                counter += 1
            comp["id"] = counter
    return copied


def modal_submit_components(components: list[JSON], values: Mapping[str, Any]) -> list[JSON]:
    """Mirror the modal's layout as Discord does in a modal submit (rows, labels, inputs)."""
    out: list[JSON] = []
    for comp in components:
        kind = comp["type"]
        item: JSON = {"type": kind, "id": comp.get("id")}
        if kind == 1:
            item["components"] = modal_submit_components(comp.get("components") or [], values)
        elif kind == 18:
            item["component"] = modal_submit_components([comp["component"]], values)[0]
        elif kind == 4:
            cid = comp["custom_id"]
            value = str(values.get(cid, comp.get("value") or ""))
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if len(value) > int(comp.get("max_length") or 4000) or \
                    len(value) < int(comp.get("min_length") or 0):
                raise ValueError(f"text input {cid!r} length out of range")
            item.update(custom_id=cid, value=value)
        elif kind in (3, 5, 6, 7, 8):
            item.update(custom_id=comp["custom_id"],
                        values=[str(v) for v in values.get(comp["custom_id"], [])])
        out.append(item)
    return out
