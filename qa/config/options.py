"""Command-line options from settings dataclasses (``qa train-reader``, ``qa fit-reader``): one option a field."""

from __future__ import annotations

from dataclasses import fields


def add_settings(parser, settings_class) -> None:
    """One command-line option per field of a settings dataclass that has a ``help`` in its metadata
    (``--batch-size`` for ``batch_size``), with the field's default; booleans become ``--x`` / ``--no-x``."""
    import argparse

    for f in fields(settings_class):
        if "help" not in f.metadata:
            continue
        flag = "--" + f.name.replace("_", "-")
        if isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default,
                                help=f.metadata["help"] + " (default: %(default)s)")
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default,
                                help=f.metadata["help"] + " (default: %(default)s)")


def settings_from(args, settings_class):
    """The settings dataclass filled from parsed options (:func:`add_settings`); other fields keep their defaults."""
    return settings_class(**{f.name: getattr(args, f.name) for f in fields(settings_class) if hasattr(args, f.name)})
