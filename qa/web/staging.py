"""Gradio's upload staging folder kept bounded: its size, the oldest files pruned, orphans swept.

Gradio stages an upload's files before any handler runs; :class:`qa.web.uploads.UploadMeter` keeps the folder
under ``WEB_STAGING_MAX_BYTES`` with :func:`prune_staging` and deletes what a failed or interrupted upload left
behind with :func:`sweep_orphans`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..config.web import WEB_STAGING_MAX_BYTES


def folder_size(folder: Path) -> int:
    total = 0
    for root, _, names in os.walk(folder):
        for n in names:
            try:
                total += os.lstat(os.path.join(root, n)).st_size
            except OSError:
                pass
    return total


def prune_staging(folder: Path, need: int, limit: int = WEB_STAGING_MAX_BYTES, min_age: float = 60.0) -> bool:
    """Delete the oldest staged files (older than ``min_age`` s) until ``need`` more bytes fit under ``limit``."""
    if not folder.is_dir():
        return need <= limit
    size = folder_size(folder)
    if size + need <= limit:
        return True
    files = []
    for root, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(root, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
    now = time.time()
    for mtime, fsize, p in sorted(files):
        if size + need <= limit:
            break
        if now - mtime < min_age:
            break  # in use by a recent upload; refuse instead
        try:
            os.unlink(p)
            size -= fsize
        except OSError:
            pass
    return size + need <= limit


def sweep_orphans(folder: Path, min_age: float = 60.0) -> int:
    """Delete temporary files Gradio left at the top of the staging folder (``tmp…``, from a failed
    or interrupted upload) that no upload has open and that are older than ``min_age`` seconds."""
    try:
        names = [e for e in os.scandir(folder) if e.name.startswith("tmp") and e.is_file(follow_symlinks=False)]
    except OSError:
        return 0
    if not names:
        return 0
    open_now = set()
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                open_now.add(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        min_age = max(min_age, 3600.0)  # cannot tell which are open: only very old ones
    removed, now = 0, time.time()
    for e in names:
        try:
            if e.path in open_now or now - e.stat(follow_symlinks=False).st_mtime < min_age:
                continue
            os.unlink(e.path)
            removed += 1
        except OSError:
            pass
    return removed
