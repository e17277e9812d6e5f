"""Bytes → text: size limit, byte-order marks, UTF-8, GB18030 (only when it reads as text).

Anything else is refused with a :class:`DocumentError` that says why, rather than indexed as mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from pathlib import Path

from ..config.limits import MAX_FILE_BYTES


class DocumentError(ValueError):
    """A file that cannot be turned into a document; the message says why."""


_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode bytes to text, returning ``(text, encoding)``.

    Tries, in order: a byte-order mark (UTF-8/16/32), strict UTF-8, strict GB18030.
    GB18030 decodes almost any byte string, so its result is accepted only when it
    reads like text (mostly CJK, letters, digits and punctuation). Anything else is
    refused rather than indexed as mojibake.
    """
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "") + " (BOM)"
            except UnicodeDecodeError as e:
                raise DocumentError(f"{name}: starts with a {enc} byte-order mark but is not valid {enc}: {e}")
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise DocumentError(f"{name}: not valid UTF-8, UTF-16 (with BOM) or GB18030 text")
    if _text_likeness(text) < 0.9:
        raise DocumentError(f"{name}: not valid UTF-8; as GB18030 it does not read as text (binary or another encoding?)")
    return text, "gb18030"


def _text_likeness(text: str) -> float:
    """Share of characters that are ordinary text (CJK, letters, digits, punctuation, space)."""
    sample = text[:20000]
    if not sample:
        return 0.0
    good = 0
    for ch in sample:
        cat = unicodedata.category(ch)
        if ch in "\r\n\t" or cat[0] in "LNPZ" or ch in "%+-*/=<>~^$|":
            good += 1
    return good / len(sample)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit per file")
        return path.read_bytes()
    except PermissionError:
        raise DocumentError(f"{path.name}: permission denied (cannot read the file)")
    except IsADirectoryError:
        raise DocumentError(f"{path.name}: is a folder, not a file")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file")
