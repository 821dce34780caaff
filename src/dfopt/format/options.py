"""The formatter's settings, read from a configuration.

:class:`FormatOptions` (the configuration's plain record of defaults) holds exactly the
keys of the ``format:`` section (:class:`dfopt.config.models.FormatSettings`), with the
same defaults, so the formatter never needs pydantic. :func:`options_from` accepts
either, or a mapping in the form of a configuration file (kebab-case keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dfopt.config.defaults import DefaultFormatSettings as FormatOptions
from dfopt.syntax._record import field_names

__all__ = ["FormatOptions", "options_from"]


def options_from(settings: object = None) -> FormatOptions:
    """Formatter options from ``settings``.

    Accepted: None (the defaults), :class:`FormatOptions`, a ``format:`` section model,
    whole settings (their ``format`` section is used) or a mapping of ``format:`` keys in
    kebab-case or snake_case. A mapping is validated with the configuration model, so an
    unknown key or a bad value raises ``pydantic.ValidationError``.
    """
    if settings is None:
        return FormatOptions()
    if isinstance(settings, FormatOptions):
        return settings
    if isinstance(settings, Mapping):
        from dfopt.config.models import FormatSettings

        settings = FormatSettings.model_validate(dict(settings))
    section: Any = getattr(settings, "format", settings)
    defaults = FormatOptions()
    return FormatOptions(
        **{name: getattr(section, name, getattr(defaults, name)) for name in field_names(defaults)}
    )
