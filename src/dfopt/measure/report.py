"""The ``dfopt measure`` report: a side-by-side text table, or one JSON object.

Sizes use decimal units as ``docker images`` does (1 MB = 1,000,000 bytes). The JSON
object holds ``builder`` (``name``, ``version`` and ``image_format``, the image format
both versions were built in), ``before`` and ``after`` (each with ``size_bytes``,
``layers``, ``cold_build_seconds``, ``warm_build_seconds``,
``source_change_build_seconds``, ``reran_steps`` and ``history``), ``difference`` and
``behaviour``.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from dfopt.measure.builders import BuildResult
from dfopt.measure.runner import Behaviour, Measurement, Variant

__all__ = ["human_size", "render_json", "render_text", "to_json"]


def human_size(size: int) -> str:
    """``size`` bytes in decimal units, as ``docker images`` shows them."""
    value = float(abs(size))
    sign = "-" if size < 0 else ""
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{sign}{value:.0f} {unit}" if unit == "B" else f"{sign}{value:.1f} {unit}"
        value /= 1000
    return f"{sign}{value:.1f} TB"  # pragma: no cover - the loop returns


def _seconds(build: BuildResult | None) -> float | None:
    return None if build is None else round(build.seconds, 2)


def _variant_json(variant: Variant) -> dict[str, Any]:
    facts = variant.facts
    change = variant.source_change
    return {
        "image": variant.image,
        "size_bytes": facts.size_bytes if facts else None,
        "layers": facts.layers if facts else None,
        "cold_build_seconds": _seconds(variant.cold),
        "warm_build_seconds": _seconds(variant.warm),
        "source_change_build_seconds": _seconds(change),
        "changed_file": variant.changed_file,
        "reran_steps": len(change.reran_runs) if change else None,
        "reran": change.reran_runs if change else [],
        "warm_reran_steps": len(variant.warm.reran_runs) if variant.warm else None,
        "first_warm_build_seconds": _seconds(variant.first_warm),
        "first_warm_reran_steps": (
            len(variant.first_warm.reran_runs) if variant.first_warm else None
        ),
        "history": [
            {"instruction": row.instruction, "size_bytes": row.size_bytes}
            for row in (facts.history if facts else [])
        ],
        "user": facts.user if facts else None,
        "dockerfile": variant.text,
    }


def _behaviour_json(behaviour: Behaviour | None) -> dict[str, Any] | None:
    if behaviour is None:
        return None
    return {
        "command": behaviour.command,
        "same": behaviour.same,
        "expected_difference": behaviour.expected,
        "note": behaviour.note,
        "before": {"exit_code": behaviour.before.exit_code, "output": behaviour.before.output},
        "after": {"exit_code": behaviour.after.exit_code, "output": behaviour.after.output},
        "diff": behaviour.diff,
    }


def to_json(measurement: Measurement) -> dict[str, Any]:
    """The report as a JSON-ready dictionary."""
    before = _variant_json(measurement.before)
    after = _variant_json(measurement.after)
    difference: dict[str, Any] = {}
    if before["size_bytes"] is not None and after["size_bytes"] is not None:
        difference["size_bytes"] = after["size_bytes"] - before["size_bytes"]
        difference["size_ratio"] = (
            round(before["size_bytes"] / after["size_bytes"], 2) if after["size_bytes"] else None
        )
        difference["layers"] = after["layers"] - before["layers"]
    return {
        "dockerfile": measurement.dockerfile,
        "builder": {
            "name": measurement.builder,
            "version": measurement.builder_version,
            "image_format": measurement.image_format,
            "lacks": measurement.lacking,
            "settings_added": measurement.builder_settings,
        },
        "log": measurement.log,
        "unsafe_fixes": measurement.unsafe_fixes,
        "fixes": measurement.fixes,
        "held_back_for_builder": measurement.held_back,
        "images_kept": measurement.kept_images,
        "before": before,
        "after": after,
        "difference": difference,
        "behaviour": _behaviour_json(measurement.behaviour),
    }


def render_json(measurement: Measurement) -> str:
    return json.dumps(to_json(measurement), indent=2) + "\n"


def _change(before: float, after: float, unit: str) -> str:
    delta = after - before
    sign = "+" if delta > 0 else ""
    return f"{sign}{delta:.1f} {unit}"


def _size_change(before: int, after: int) -> str:
    delta = after - before
    text = ("+" if delta > 0 else "") + human_size(delta)
    if before:
        text += f" ({delta / before * 100:+.1f}%"
        if after and after < before:
            text += f", {before / after:.1f}x smaller"
        text += ")"
    return text


def _history(variant: Variant) -> list[str]:
    facts = variant.facts
    if facts is None:
        return []
    lines = [f"  {'SIZE':>10}  INSTRUCTION"]
    for row in facts.history:
        shown = " ".join(row.instruction.split())
        if len(shown) > 100:
            shown = shown[:97] + "..."
        lines.append(f"  {human_size(row.size_bytes):>10}  {shown}")
    return lines


def render_text(measurement: Measurement) -> str:
    """The side-by-side report."""
    before, after = measurement.before, measurement.after
    out: list[str] = []
    fixes_mode = "safe and unsafe fixes" if measurement.unsafe_fixes else "safe fixes"
    out.append(f"dfopt measure: {measurement.dockerfile} ({fixes_mode})")
    out.append(f"Builder: {measurement.builder_line}")
    out.append(f"Fixes applied: {', '.join(measurement.fixes) or 'none'}")
    if measurement.held_back:
        lacks = " and ".join(measurement.lacking)
        out.append(
            f"Left out (the builder cannot build {lacks}): {', '.join(measurement.held_back)}"
        )
    out.append("")
    rows: list[tuple[str, str, str, str]] = []
    if before.facts and after.facts:
        rows.append(
            (
                "Image size",
                human_size(before.facts.size_bytes),
                human_size(after.facts.size_bytes),
                _size_change(before.facts.size_bytes, after.facts.size_bytes),
            )
        )
        rows.append(
            (
                "Layers",
                str(before.facts.layers),
                str(after.facts.layers),
                f"{after.facts.layers - before.facts.layers:+d}",
            )
        )
    for label, key in (
        ("Cold build", "cold"),
        ("Warm rebuild, nothing changed", "warm"),
        ("Rebuild after a source change", "source_change"),
    ):
        first: BuildResult | None = getattr(before, key)
        second: BuildResult | None = getattr(after, key)
        if first is None or second is None:
            continue
        rows.append(
            (
                label,
                f"{first.seconds:.1f} s",
                f"{second.seconds:.1f} s",
                _change(first.seconds, second.seconds, "s"),
            )
        )
    if before.source_change and after.source_change:
        first_runs = len(before.source_change.reran_runs)
        second_runs = len(after.source_change.reran_runs)
        rows.append(
            (
                "RUN steps re-run after it",
                str(first_runs),
                str(second_runs),
                f"{second_runs - first_runs:+d}",
            )
        )
    width = max(len(row[0]) for row in rows) if rows else 10
    out.append(f"{'':<{width}}  {'before':>10}  {'after':>10}  difference")
    for label, first_text, second_text, change in rows:
        out.append(f"{label:<{width}}  {first_text:>10}  {second_text:>10}  {change}")
    for variant in (before, after):
        if variant.first_warm is not None:
            out.append(
                f"({variant.label}: the first warm rebuild re-ran "
                f"{len(variant.first_warm.reran_runs)} RUN steps in "
                f"{variant.first_warm.seconds:.1f} s: the builder matched an older cached "
                "layer; the figure above is the next rebuild)"
            )
    if before.changed_file:
        out.append(
            f"(source change: a blank line added to {before.changed_file} in a copy of the context)"
        )
    for variant in (before, after):
        out.append("")
        out.append(f"Image history {variant.label} (oldest first):")
        out.extend(_history(variant))
    out.append("")
    out.extend(_behaviour_lines(measurement.behaviour))
    out.append("")
    out.append(f"Builder log: {measurement.log}")
    if measurement.builder_settings:
        added = ", ".join(f"{key}: {value}" for key, value in measurement.builder_settings.items())
        out.append(f"Settings dfopt added for this builder: {added}")
    if measurement.kept_images:
        out.append(f"Images kept: {before.image}, {after.image}")
    return "\n".join(out) + "\n"


def _behaviour_lines(behaviour: Behaviour | None) -> list[str]:
    if behaviour is None:
        return ["Behaviour: not checked"]
    command = shlex.join(behaviour.command) if behaviour.command else "the default command"
    if behaviour.same:
        return [
            f"Behaviour ({command}): same exit status ({behaviour.before.exit_code}) "
            "and same output"
        ]
    if behaviour.expected:
        head = f"Behaviour ({command}): expected difference: {behaviour.note}"
    else:
        head = f"Behaviour ({command}): DIFFERENT: {behaviour.note}"
    lines = [head]
    if behaviour.diff:
        lines.extend("  " + line for line in behaviour.diff.rstrip("\n").splitlines())
    return lines
