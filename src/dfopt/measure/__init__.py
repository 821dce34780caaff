"""``dfopt measure``: build the original and the fixed Dockerfile and show what the fix saved.

The modules:

- :mod:`dfopt.measure.builders`: the builder interface and auto-detection;
- :mod:`dfopt.measure.docker`, :mod:`dfopt.measure.containers`: docker (BuildKit),
  podman and buildah backends;
- :mod:`dfopt.measure.steps`: reading builder output (cached steps, history rows);
- :mod:`dfopt.measure.runner`: the measurement itself;
- :mod:`dfopt.measure.report`: text and JSON output.

Nothing here is imported by ``dfopt check`` or ``dfopt fix``.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_measure"]


def run_measure(
    dockerfile: str,
    *,
    context: str | None = None,
    unsafe_fixes: bool = False,
    builder: str = "auto",
    run_args: Sequence[str] | None = None,
    smoke: str | None = None,
    output_format: str = "text",
    keep: bool = False,
    touch: str | None = None,
    log_file: str | None = None,
    isolated: bool = False,
) -> int:
    """Measure ``dockerfile``; print the report; return the exit status.

    0 when both versions built and behave the same (or differ only as expected),
    1 when the behaviour differs, 2 when something failed.
    """
    from dfopt.measure.builders import BuilderUnavailable, BuildFailed, detect
    from dfopt.measure.report import render_json, render_text
    from dfopt.measure.runner import MeasureError, MeasureOptions, measure

    path = Path(dockerfile)
    if not path.is_file():
        sys.stderr.write(f"dfopt: error: {dockerfile}: no such file\n")
        return 2
    options = MeasureOptions(
        dockerfile=path,
        context=Path(context) if context is not None else path.parent,
        unsafe_fixes=unsafe_fixes,
        smoke=shlex.split(smoke) if smoke else None,
        run_args=[part for value in run_args or () for part in shlex.split(value)],
        keep=keep,
        touch=touch,
        log_path=Path(log_file) if log_file else None,
        isolated=isolated,
    )
    try:
        chosen = detect(builder)
        result = measure(options, chosen)
    except (BuilderUnavailable, BuildFailed, MeasureError) as problem:
        sys.stderr.write(f"dfopt: error: {problem}\n")
        return 2
    sys.stdout.write(render_json(result) if output_format == "json" else render_text(result))
    sys.stdout.flush()
    behaviour = result.behaviour
    if behaviour is not None and not behaviour.same and not behaviour.expected:
        return 1
    return 0
