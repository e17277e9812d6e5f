"""Adding and removing documents from the web: store uploads in the managed folder, rebuild, report.

The rebuild writes a new index generation and swaps it in at the end, so questions asked
meanwhile are answered from the previous index. Messages returned or raised here are short
and carry no server paths (:func:`qa.web.admin.scrub`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from ..api import IndexUnusable, build_index, documents, load_index, remove_documents
from .admin import UploadError, check_uploads, esc_name, scrub, store

log = logging.getLogger(__name__)
STAGES = {"reading": "读取文档", "ocr": "文字识别", "embedding": "计算向量", "writing": "写入索引"}
_admin_lock = threading.Lock()  # one change to the documents at a time in this process


def public_documents(index_dir: Path, docs_dir: Path) -> list[dict]:
    """The indexed documents without server paths: doc_id, title, sections, chunks, built, notes, source."""
    out = []
    for info in documents(index_dir):
        path = info.pop("path", None)
        out.append(info | {"notes": info.get("notes") or [], "source": "uploaded" if _inside(path, docs_dir) else "seed"})
    return out


def _inside(path: str | None, folder: Path) -> bool:
    if not path:
        return False
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def add_documents(paths: list[str], *, staging: Path | None, docs_dir: Path, index_dir: Path,
                  progress: Callable[[str, int, int], None] | None = None) -> str:
    """Store the uploaded files and index them; returns a short report. Raises UploadError when refused."""
    uploads = check_uploads(paths, staging, docs_dir)
    with _admin_lock:
        try:
            indexed = set(load_index(index_dir).documents)
        except IndexUnusable:
            indexed = set()
        taken = indexed | ({f.name for f in docs_dir.iterdir()} if docs_dir.is_dir() else set())
        stored: list[Path] = []
        uploaded_as: dict[str, str] = {}  # stored name → the name it was uploaded under
        try:
            for up in uploads:
                target = store(up.path, docs_dir, up.name, taken)
                stored.append(target)
                uploaded_as[target.name] = up.name
            # the build recognises content already indexed (or uploaded twice) by its hash
            summary = build_index(stored, index_dir, keep_existing=True, progress=progress)
        except UploadError:
            _discard(stored)
            raise
        except Exception as e:
            _discard(stored)
            log.exception("rebuilding the index after an upload failed")
            raise UploadError(f"重建索引失败（{scrub(e.__class__.__name__)}），已撤销这次上传；之前的索引保持不变。")
        finally:
            if staging:
                for up in uploads:
                    up.path.unlink(missing_ok=True)  # the staged copy is no longer needed
        failed = {Path(f).name: why for f, why in summary.skipped}
        lines: list[str] = []
        same = dict(summary.duplicates)
        _discard([p for p in stored if p.name in failed or p.name in same])
        for p in stored:
            name = uploaded_as[p.name]
            if p.name in same:
                lines.append(f"- 跳过 {esc_name(name)}：内容与已索引的 {esc_name(uploaded_as.get(same[p.name], same[p.name]))} 相同。")
                continue
            if p.name != name:
                lines.append(f"- {esc_name(name)} 与已有文档同名，保存为 {esc_name(p.name)}。")
            if p.name in failed:
                lines.append(f"- 未能索引 {esc_name(p.name)}：{scrub(failed[p.name])}")
            elif p.name in summary.added:
                lines.append(f"- 已添加 {esc_name(p.name)}")
        head = (f"索引已更新：{summary.documents} 个文档，{summary.chunks} 个句段，用时 {summary.seconds:.1f} 秒。"
                if summary.added else "没有新文档需要索引。")
        return head + "\n" + "\n".join(lines)


def _discard(paths: list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def remove_document(doc_id: str, *, docs_dir: Path, index_dir: Path) -> str:
    """Remove one document from the index (and its stored copy when it was uploaded)."""
    if not doc_id:
        raise UploadError("请先选择要删除的文档。")
    if not isinstance(doc_id, str) or len(doc_id) > 1000:  # API callers may send anything
        raise UploadError("文档名无效：请从列表中选择要删除的文档。")
    with _admin_lock:
        indexed = load_index(index_dir).documents
        if doc_id not in indexed:
            raise UploadError(f"索引中没有文档 {esc_name(doc_id)}。")
        if len(indexed) == 1:
            raise UploadError("这是索引中的最后一个文档，不能删除。")
        path = indexed[doc_id].path
        summary = remove_documents([doc_id], index_dir)
        if doc_id not in summary.removed:
            raise UploadError(f"未能删除 {esc_name(doc_id)}。")
        note = ""
        if _inside(path, docs_dir):
            Path(path).unlink(missing_ok=True)
        else:
            note = "（原文件不在上传文件夹中，只从索引里移除）"
        return f"已删除 {esc_name(doc_id)}{note}；索引现有 {summary.documents} 个文档。"
