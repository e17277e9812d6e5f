"""Building an index from files and folders: read, structure, chunk, embed, write.

Each source is identified by the hash of its bytes. A rebuild reuses the chunks and
vectors of unchanged documents (same hash, same model, same chunking) and only reads and
embeds the new or changed ones; documents no longer among the sources disappear. The same
content under two names is indexed once. A file that cannot be read is reported with its
reason and skipped; the other files are still indexed.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..config.environment import default_index_dir, default_seeds_dir
from ..config.indexing import ChunkSettings
from ..text.decode import DocumentError, read_bytes, sha256_bytes
from ..text.lexicon import VERSION as LEXICON_VERSION
from ..text.documents import Document
from ..model.embedding import Embedder, get_embedder
from ..text.formats import load_document, reader_version, unsupported
from .store import Document as StoredDocument
from .store import MANIFEST, Chunk, Index, IndexNotFound, IndexUnusable, build_lock, read_manifest, write_index
from ..text.structure import Section, build_structure, section_string
from ..text.tokens import tokenize
from ..text.periods import chunk_period, document_year
from ..text.reports import ReportIdentity, identify

log = logging.getLogger(__name__)
ProgressFn = Callable[[str, int, int], None]  # (stage, done, total); stages: reading, ocr (pages), embedding, writing


@dataclass
class BuildSummary:
    index_dir: str
    documents: int = 0
    sections: int = 0
    chunks: int = 0
    seconds: float = 0.0
    embedded: int = 0  # chunks embedded in this build
    reused: int = 0  # chunks whose vectors were reused from the previous index
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same content as)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.skipped

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"ok": self.ok}

    def report(self) -> str:
        lines = []
        for name in self.added:
            lines.append(f"  indexed    {name}" + (f"  ({'; '.join(self.notes[name])})" if self.notes.get(name) else ""))
        lines += [f"  unchanged  {n}" for n in self.unchanged]
        lines += [f"  removed    {n}" for n in self.removed]
        lines += [f"  duplicate  {a}: same content as {b}, indexed once" for a, b in self.duplicates]
        lines += [f"  skipped    {a}: {why}" for a, why in self.skipped]
        lines.append(f"{self.documents} documents, {self.sections} sections, {self.chunks} chunks "
                     f"({self.embedded} embedded, {self.reused} reused) in {self.seconds:.1f} s"
                     + (f"; {len(self.skipped)} file(s) skipped" if self.skipped else ""))
        return "\n".join(lines)


def collect_files(sources: Iterable[str | Path], summary: BuildSummary) -> list[Path]:
    """Expand folders (recursively, sorted); unsupported or missing paths go to ``skipped``."""
    files: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            usable = [f for f in found if not unsupported(f)]
            summary.skipped += [(str(f), unsupported(f)) for f in found if unsupported(f)]
            if not usable:
                summary.skipped.append((str(p), "the folder holds no supported documents"))
            files += usable
        elif p.is_file():
            if why := unsupported(p):
                summary.skipped.append((str(p), why))
            else:
                files.append(p)
        else:
            summary.skipped.append((str(p), "no such file or folder"))
    return files


def embed_text(chunk: Chunk) -> str:
    """What the model sees for a chunk: its section path as context (each heading cut at its first
    comma: ``(二)坚定转型 > 以特优发展为路径``), then the sentence. The quoted text is not changed.
    Measured: the same ``qa eval`` figures as the full headings, with a quarter fewer tokens to encode."""
    if not chunk.section:
        return chunk.text
    return " > ".join(_SHORT.split(t, 1)[0] for t in chunk.section.split(" > ")) + "：" + chunk.text


_SHORT = re.compile(r"[，,]")


@dataclass
class DocumentChunks:
    """A document read for the index: its chunks, its number of sections, the latest year its names give
    (:func:`qa.text.periods.document_year`) and its place and year as a report (:mod:`qa.text.reports`); its periods
    count from the report's year where it was read, else from that one (:attr:`qa.index.store.Document.year`)."""
    chunks: list[Chunk]
    sections: list[Section]  # its outline: headings and paragraph leads, each with its parent
    named_year: int | None
    identity: ReportIdentity


def document_chunks(doc: Document, settings: ChunkSettings) -> DocumentChunks:
    sections, sentences = build_structure(doc, settings.max_chars)
    named_year = document_year([doc.title, doc.doc_id] + [s.title for s in sections])
    identity = identify(doc, [s.title for s in sections])
    year = identity.year or named_year
    chunks = []
    context_cache: dict[tuple, list[str]] = {}
    for s in sentences:
        if s.path not in context_cache:
            context_cache[s.path] = tokenize(" ".join(s.path))
        period = chunk_period(s.text, doc.paragraphs[s.para].text, s.path, year)
        chunks.append(Chunk(-1, doc.doc_id, doc.title, section_string(s.path), s.text, s.start, s.end,
                            s.para, s.seq, period, tokenize(s.text), context_cache[s.path], doc.page_at(s.start)))
    return DocumentChunks(chunks, sections, named_year, identity)


def build_index(sources: Iterable[str | Path] | None = None, index_dir: str | Path | None = None,
                model: str | None = None, embedder: Embedder | None = None,
                settings: ChunkSettings | None = None, progress: ProgressFn | None = None,
                incremental: bool = True, keep_existing: bool = False) -> BuildSummary:
    """Build (or update) the index in ``index_dir`` from ``sources`` (files and folders).

    Documents of the previous index that are not among the sources are removed, unless
    ``keep_existing`` (then the sources are added to what is indexed). Returns a
    :class:`BuildSummary`. If no file yields a document, nothing is written and the
    previous index stays as it was (the summary says why).
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir or default_index_dir())
    sources = list(sources) if sources is not None else [default_seeds_dir()]
    embedder = embedder or get_embedder(model)
    settings = settings or ChunkSettings()
    summary = BuildSummary(str(index_dir))
    note = progress or (lambda stage, done, total: None)

    with build_lock(index_dir):
        old = _previous(index_dir, embedder.model_id, settings) if incremental else None
        files = collect_files(sources, summary)
        chunks: list[Chunk] = []
        vectors: list[np.ndarray] = []
        documents: list[dict] = []
        by_hash: dict[str, str] = {}
        if old and keep_existing:  # content already indexed under another name stays under that name
            by_hash = {info.sha256: doc_id for doc_id, info in old.documents.items()}
        fresh: list[int] = []  # positions in `chunks` still to embed
        names: set[str] = set()

        def take_old(doc_id: str, info: StoredDocument) -> None:
            """Reuse an unchanged document's chunks and vectors from the previous index."""
            ids = old.by_doc.get(doc_id, [])
            chunks.extend(old.chunks[i] for i in ids)
            vectors.append(old.vectors_of(ids))
            documents.append(info.to_dict())
            names.add(doc_id)
            summary.unchanged.append(doc_id)
            summary.reused += len(ids)

        for n, path in enumerate(files, 1):
            note("reading", n, len(files))
            try:
                data = read_bytes(path)
                digest = sha256_bytes(data)
                if digest in by_hash and by_hash[digest] != path.name:
                    summary.duplicates.append((path.name, by_hash[digest]))
                    continue
                if path.name in names:
                    raise DocumentError(f"{path.name}: another file with the same name is already indexed "
                                        f"({next(d['path'] for d in documents if d['doc_id'] == path.name)})")
                reuse = old and old.documents.get(path.name)
                if reuse and reuse.sha256 == digest and reuse.reader == reader_version(path):
                    take_old(path.name, reuse)
                else:
                    doc = load_document(path, data, progress=lambda d, t: note("ocr", d, t))
                    read = document_chunks(doc, settings)
                    doc_chunks, identity = read.chunks, read.identity
                    if not doc_chunks:
                        raise DocumentError(f"{path.name}: no sentences found in the text")
                    fresh += range(len(chunks), len(chunks) + len(doc_chunks))
                    chunks += doc_chunks
                    documents.append({"doc_id": doc.doc_id, "title": doc.title, "path": str(path), "sha256": digest,
                                      "sections": len(read.sections), "chunks": len(doc_chunks), "year": read.named_year,
                                      "outline": [[x.title, x.level, x.start, x.end, x.parent] for x in read.sections],
                                      "report": identity.to_dict(), "notes": doc.notes + identity.missing(),
                                      "pages": len(doc.pages) or None, "reader": reader_version(path),
                                      "built": time.strftime("%Y-%m-%d %H:%M:%S"), "text": doc.text})
                    names.add(doc.doc_id)
                    summary.added.append(path.name)
                    summary.notes[path.name] = doc.notes + identity.missing()
                by_hash[digest] = path.name
            except DocumentError as e:
                summary.skipped.append((str(path), str(e).split(": ", 1)[-1] if str(e).startswith(path.name) else str(e)))
        if old and keep_existing:
            hashes = {d["sha256"] for d in documents}
            for doc_id, info in old.documents.items():
                if doc_id not in names and info.sha256 not in hashes:
                    take_old(doc_id, info)
        if old:
            summary.removed = sorted(d for d in old.documents if d not in names)
        if not documents:
            summary.seconds = time.perf_counter() - t0
            summary.skipped.append(("(all)", "no document could be indexed; the previous index was left unchanged"))
            return summary
        new_vecs = embedder.encode_documents([embed_text(chunks[i]) for i in fresh],
                                             progress=lambda d, t: note("embedding", d, t)) if fresh else None
        dim = new_vecs.shape[1] if new_vecs is not None else old.faiss.d
        matrix = np.zeros((len(chunks), dim), np.float32)
        if fresh:
            matrix[fresh] = new_vecs
        fresh_set = set(fresh)
        reused_rows = [i for i in range(len(chunks)) if i not in fresh_set]
        if reused_rows:
            matrix[reused_rows] = np.concatenate([v for v in vectors if len(v)])
        note("writing", 0, 1)
        _write(index_dir, embedder.model_id, settings, chunks, matrix, documents,
               getattr(embedder, "document_encoder", lambda: "")())
        note("writing", 1, 1)
    if fresh and hasattr(embedder, "prepare"):
        embedder.prepare()  # e.g. export the fast query encoder while torch is loaded
    summary.embedded = len(fresh)
    return _finish(summary, documents, chunks, t0)


def _write(index_dir: Path, model_id: str, settings: ChunkSettings | dict, chunks: list[Chunk],
           matrix: np.ndarray, documents: list[dict], encoder: str = "") -> None:
    for i, c in enumerate(chunks):
        c.id = i
    manifest = {"model": model_id, "chunking": settings if isinstance(settings, dict) else settings.to_dict(),
                "encoder": encoder, "lexicon": LEXICON_VERSION,
                "tokenizer": "jieba-search/1", "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "sources": {d["doc_id"]: {"sha256": d["sha256"], "path": d["path"], "title": d["title"],
                                          "label": d["report"]["label"]} for d in documents}}
    write_index(index_dir, manifest, chunks, matrix, documents)


def _finish(summary: BuildSummary, documents: list[dict], chunks: list[Chunk], t0: float) -> BuildSummary:
    summary.documents = len(documents)
    summary.sections = sum(d["sections"] for d in documents)
    summary.chunks = len(chunks)
    summary.seconds = time.perf_counter() - t0
    log.debug("built %s: %s", summary.index_dir, summary.report().splitlines()[-1])  # the caller reports it
    return summary


def ensure_index(index_dir: str | Path | None = None, sources: Iterable[str | Path] | None = None,
                 model: str | None = None, progress: ProgressFn | None = None) -> BuildSummary | None:
    """Build the index from ``sources`` (default ``seeds/``) when ``index_dir`` has none; None when it has one.

    The one path by which a fresh checkout gets its index, whoever asks first (``ask()``, ``qa ask``,
    ``qa chat``, ``python app.py``). Raises :class:`IndexNotFound` when there is nothing to build from.
    """
    index_dir = Path(index_dir or default_index_dir())
    if (index_dir / MANIFEST).exists():
        return None
    sources = [Path(s) for s in (sources if sources is not None else [default_seeds_dir()])]
    usable = [s for s in sources if s.is_file() or (s.is_dir() and any(s.iterdir()))]
    if not usable:
        raise IndexNotFound(f"no index in {index_dir} and no documents in {', '.join(map(str, sources))}: "
                            "build one with `qa build PATH...` or build_index(sources=[...])")
    log.warning("No index yet: building it from %s (once) …", ", ".join(map(str, usable)))
    summary = build_index(usable, index_dir, model=model, progress=progress, keep_existing=True)
    log.warning("%s", summary.report())
    if not summary.documents:
        raise IndexNotFound(f"no index in {index_dir}: none of the documents could be indexed (see the report)")
    return summary


def remove_documents(doc_ids: Iterable[str], index_dir: str | Path | None = None) -> BuildSummary:
    """Remove documents (by id, the file name) from the index without re-embedding the others."""
    t0 = time.perf_counter()
    index_dir = Path(index_dir or default_index_dir())
    summary = BuildSummary(str(index_dir))
    with build_lock(index_dir):
        index = Index.load(index_dir)
        gone = set(doc_ids)
        for d in sorted(gone - set(index.documents)):
            summary.skipped.append((d, "not in the index"))
        summary.removed = sorted(gone & set(index.documents))
        if not summary.removed:
            return _finish(summary, [d.to_dict() for d in index.documents.values()], index.chunks, t0)
        keep = [c.id for c in index.chunks if c.doc not in gone]
        documents = [info.to_dict() for d, info in index.documents.items() if d not in gone]
        chunks = [index.chunks[i] for i in keep]
        _write(index_dir, index.model_id, index.manifest["chunking"], chunks, index.vectors_of(keep), documents,
               index.manifest.get("encoder", ""))
        summary.unchanged = [d["doc_id"] for d in documents]
        summary.reused = len(chunks)
    return _finish(summary, documents, chunks, t0)


def _previous(index_dir: Path, model_id: str, settings: ChunkSettings) -> Index | None:
    """The current index if its chunks and vectors can be reused, else None."""
    try:
        manifest = read_manifest(index_dir)
        if manifest.get("model") != model_id or manifest.get("chunking") != settings.to_dict():
            return None
        if manifest.get("lexicon") != LEXICON_VERSION:  # tokens and periods came from other word lists
            return None
        return Index.load(index_dir)
    except IndexNotFound:
        return None
    except IndexUnusable as e:
        log.warning("not reusing the previous index: %s", e)
        return None
