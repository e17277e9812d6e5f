"""The on-disk index: FAISS vectors + BM25 tokens over the same chunks, and a manifest.

Layout of an index folder::

    index/
      manifest.json          # format version, model id, chunking settings, sources, checksums,
                             # and the name of the current generation folder
      g<time>-<pid>/         # one complete generation
        index.faiss          # inner product over L2-normalized vectors (flat, or HNSW when large)
        chunks.jsonl         # one chunk a line (ensure_ascii=False), line i = vector i
        documents.jsonl      # the decoded text of each document, so citations can be checked

A build writes a new generation folder beside the current one and then replaces
``manifest.json`` atomically (``os.replace``): a reader sees the old index or the new one,
never a mix, and a build killed at any moment leaves the previous index loadable.
Nothing is pickled. The model lives elsewhere: vectors in, ids out.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from .bm25 import BM25
from ..config.indexing import INDEX_FORMAT_VERSION
from ..text.reports import ReportIdentity
from ..text.structure import Section

MANIFEST = "manifest.json"
HNSW_THRESHOLD = 50_000  # above this many chunks, search an HNSW graph instead of a flat scan
# measured (benchmarks/bench.py, 2 cores, one query at a time): flat 2.6 ms at 50k vectors, 5.6 ms at 100k, 12.6 ms at 200k;
# HNSW (M=32, efSearch=256) 0.9 ms at 100k with recall@10 0.9995 against the flat scan
HNSW_EF_SEARCH = 256


class IndexUnusable(RuntimeError):
    """The index cannot be used (missing, built with another model, damaged); the message says what to do."""


class IndexNotFound(IndexUnusable):
    pass


class IndexMismatch(IndexUnusable):
    pass


class IndexCorrupt(IndexUnusable):
    pass


@dataclass
class Chunk:
    id: int
    doc: str  # document id (file name)
    title: str
    section: str  # heading path joined by " > "
    text: str  # the quotable sentence, verbatim
    start: int  # offsets in the document's decoded text
    end: int
    para: int
    seq: int
    period: str = ""  # past1 / past5 / now / next5 (see qa.text.periods), "" when unknown
    tokens: list[str] = field(default_factory=list, repr=False)  # BM25 tokens of text
    context_tokens: list[str] = field(default_factory=list, repr=False)  # BM25 tokens of the section path
    page: int | None = None  # 1-based page of a paged source (PDF, page image) where the chunk starts

    def to_json(self) -> str:
        # the fields as they are (asdict deep-copies every token list: 1.8 s of a 1,000-document build)
        return json.dumps({f: getattr(self, f) for f in _CHUNK_FIELDS}, ensure_ascii=False)


_CHUNK_FIELDS = tuple(f.name for f in fields(Chunk))


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _fsync_write(path: Path, data: str | bytes) -> None:
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def make_faiss(vectors: np.ndarray, hnsw_threshold: int | None = None):
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building: all cores
    threshold = HNSW_THRESHOLD if hnsw_threshold is None else hnsw_threshold
    n, dim = vectors.shape
    if n > threshold:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


@contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index folder (other processes wait)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_index(index_dir: Path, manifest: dict, chunks: list[Chunk], vectors: np.ndarray,
                documents: list[dict]) -> Path:
    """Write a new generation and switch ``manifest.json`` to it. Call under :func:`build_lock`."""
    import faiss

    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = f"g{int(time.time() * 1000)}-{os.getpid()}"
    tmp = index_dir / (gen + ".tmp")
    tmp.mkdir()
    faiss.write_index(make_faiss(vectors), str(tmp / "index.faiss"))
    _fsync_write(tmp / "chunks.jsonl", "".join(c.to_json() + "\n" for c in chunks))
    _fsync_write(tmp / "documents.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents))
    files = {name: _sha256(tmp / name) for name in ("index.faiss", "chunks.jsonl", "documents.jsonl")}
    os.replace(tmp, index_dir / gen)
    manifest = dict(manifest, format_version=INDEX_FORMAT_VERSION, generation=gen, files=files,
                    chunks=len(chunks), dim=int(vectors.shape[1]) if len(vectors) else manifest.get("dim", 0))
    _fsync_write(index_dir / (MANIFEST + ".tmp"), json.dumps(manifest, ensure_ascii=False, indent=2))
    os.replace(index_dir / (MANIFEST + ".tmp"), index_dir / MANIFEST)
    dfd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    _remove_old_generations(index_dir, keep={gen})
    return index_dir / gen


def _remove_old_generations(index_dir: Path, keep: set[str]) -> None:
    for p in index_dir.iterdir():
        if p.is_dir() and p.name.startswith("g") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        raise IndexNotFound(f"no index in {index_dir}: build one with `qa build` (or build_index())")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorrupt(f"{path} is unreadable ({e}); rebuild the index with `qa build`")
    version = manifest.get("format_version")
    if version != INDEX_FORMAT_VERSION:
        raise IndexMismatch(f"{index_dir} has index format {version!r}, this version reads format "
                            f"{INDEX_FORMAT_VERSION}; rebuild it with `qa build`")
    return manifest


def check_model(manifest: dict, index_dir: Path, model_id: str | None) -> None:
    """Refuse an index built with another model than the one asked for (None: any)."""
    if model_id and manifest.get("model") != model_id:
        raise IndexMismatch(
            f"the index in {index_dir} was built with model {manifest.get('model')!r}, not {model_id!r}; "
            f"rebuild it with `qa build --model {model_id}` or use the model it was built with")


@dataclass(frozen=True)
class Document:
    """An indexed document, as ``documents.jsonl`` records it (:meth:`to_dict`, :meth:`from_dict`)."""
    doc_id: str
    title: str
    path: str
    sha256: str
    sections: int
    chunks: int
    text: str  # the decoded text citations' offsets point into
    report: ReportIdentity = ReportIdentity()  # its place and year as a report, where they were read
    named_year: int | None = None  # the latest year its title, file name and headings name (a guess, for a
    # document that is no report read as one)
    notes: tuple[str, ...] = ()
    pages: int | None = None
    reader: int = 1  # the version of the format reader that read it
    built: str = ""
    outline: tuple[Section, ...] = ()  # its headings and paragraph leads in order, each with its parent's index

    def children(self, node: int) -> list[int]:
        """The outline nodes directly under ``node`` (-1: the top level), in document order."""
        return [i for i, s in enumerate(self.outline) if s.parent == node]

    def node_of(self, chunk: "Chunk") -> int:
        """The deepest outline node a chunk stands under (-1: none): the last heading or lead before it whose title
        ends its section path."""
        path = chunk.section.split(" > ") if chunk.section else []
        last = path[-1] if path else None
        found = [i for i, s in enumerate(self.outline) if s.title == last and s.start <= chunk.start]
        return found[-1] if found else -1

    @property
    def year(self) -> int | None:
        """The year the document speaks in, its periods count from (去年 is year - 1): the report's year where it
        was read (:attr:`dated`), else the year its names give."""
        return self.report.year or self.named_year

    @property
    def dated(self) -> bool:
        """Its year was read as a report's (its plan, title or opening): it is placed in time among reports."""
        return self.report.year is not None

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "path": self.path, "sha256": self.sha256,
                "sections": self.sections, "chunks": self.chunks, "year": self.named_year,
                "report": self.report.to_dict(), "notes": list(self.notes), "pages": self.pages, "reader": self.reader,
                "built": self.built, "text": self.text,
                "outline": [[s.title, s.level, s.start, s.end, s.parent] for s in self.outline]}

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        return cls(d["doc_id"], d.get("title", ""), d.get("path", ""), d.get("sha256", ""), d.get("sections", 0),
                   d.get("chunks", 0), d.get("text", ""), ReportIdentity.from_dict(d.get("report")), d.get("year"),
                   tuple(d.get("notes") or ()), d.get("pages"), d.get("reader", 1), d.get("built", ""),
                   tuple(Section(*row) for row in d.get("outline") or ()))


class Index:
    """A loaded index: chunks, FAISS vectors, BM25 and the documents (:class:`Document`)."""

    def __init__(self, index_dir: Path, manifest: dict, chunks: list[Chunk], faiss_index,
                 documents: dict[str, Document]):
        self.dir, self.manifest, self.chunks, self.faiss, self.documents = index_dir, manifest, chunks, faiss_index, documents
        self.bm25 = BM25([c.tokens + c.context_tokens for c in chunks])
        self.reports = {d: doc.report for d, doc in documents.items()}
        # every name a report's place goes by (太原市, 太原, taiyuan; 全国, 我国): a question's place is scope's to
        # read, not a subject a passage must state
        self.place_words = frozenset(a.lower() for r in self.reports.values() if r for a in r.aliases)
        self.by_doc: dict[str, list[int]] = {}
        for c in chunks:
            self.by_doc.setdefault(c.doc, []).append(c.id)
        self._paragraphs: tuple | None = None
        self._paragraph_lock = threading.Lock()
        self._periods: dict[str, frozenset[str]] = {}

    def periods_of(self, doc: str) -> frozenset[str]:
        """The periods a document's chunks speak of (past1, now, next5…)."""
        if doc not in self._periods:
            self._periods[doc] = frozenset(self.chunks[i].period for i in self.by_doc.get(doc, ()) if self.chunks[i].period)
        return self._periods[doc]

    def label(self, doc: str) -> str:
        """How citations name a document: its place and year as a report (``示例市 · 2023年政府工作报告``), else ""."""
        report = self.reports.get(doc)
        return report.label if report else ""

    def paragraphs(self) -> tuple[np.ndarray, BM25, np.ndarray]:
        """Paragraph-level evidence, made on first use: each chunk's paragraph number, a BM25 over
        whole paragraphs, and each paragraph's mean sentence vector (normalized)."""
        with self._paragraph_lock:
            if self._paragraphs is None:
                keys: dict[tuple[str, int], int] = {}
                of = np.array([keys.setdefault((c.doc, c.para), len(keys)) for c in self.chunks], np.int64)
                tokens: list[list[str]] = [[] for _ in keys]
                for c, p in zip(self.chunks, of):
                    tokens[p] += c.tokens
                vecs = np.zeros((len(keys), self.faiss.d), np.float32)
                np.add.at(vecs, of, self.faiss.reconstruct_n(0, len(self.chunks)))
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
                self._paragraphs = (of, BM25(tokens), vecs)
            return self._paragraphs

    @property
    def model_id(self) -> str:
        return self.manifest["model"]

    @classmethod
    def load(cls, index_dir: Path, model_id: str | None = None, verify: bool = True) -> "Index":
        """Load and check an index; refuse one built with another model or format."""
        import faiss

        index_dir = Path(index_dir)
        for attempt in range(3):  # a concurrent build may swap generations while we read
            manifest = read_manifest(index_dir)
            check_model(manifest, index_dir, model_id)
            gen = index_dir / manifest["generation"]
            try:
                if verify:
                    for name, digest in manifest["files"].items():
                        if _sha256(gen / name) != digest:
                            raise IndexCorrupt(f"{gen / name} does not match its checksum (damaged or partly "
                                               f"written); rebuild the index with `qa build`")
                with open(gen / "chunks.jsonl", encoding="utf-8") as f:
                    chunks = [Chunk(**json.loads(line)) for line in f]
                with open(gen / "documents.jsonl", encoding="utf-8") as f:
                    documents = {d["doc_id"]: Document.from_dict(d) for d in map(json.loads, f)}
                vectors = faiss.read_index(str(gen / "index.faiss"))
            except FileNotFoundError:
                if attempt < 2 and read_manifest(index_dir).get("generation") != manifest["generation"]:
                    continue
                raise IndexCorrupt(f"{gen} is incomplete; rebuild the index with `qa build`")
            except (ValueError, TypeError, KeyError, RuntimeError) as e:
                if isinstance(e, IndexCorrupt):
                    raise
                raise IndexCorrupt(f"cannot read the index in {gen} ({e}); rebuild it with `qa build`")
            if vectors.ntotal != len(chunks) or (len(chunks) and vectors.d != manifest.get("dim")):
                raise IndexCorrupt(f"{gen}: {vectors.ntotal} vectors for {len(chunks)} chunks; rebuild with `qa build`")
            faiss.omp_set_num_threads(1)  # one query at a time: threads only add synchronisation cost
            if hasattr(vectors, "hnsw"):
                vectors.hnsw.efSearch = HNSW_EF_SEARCH
            return cls(index_dir, manifest, chunks, vectors, documents)
        raise IndexCorrupt(f"{index_dir} kept changing while loading; try again")

    def dense_search(self, qvec: np.ndarray, k: int, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk ids and inner products for one normalized query vector (``among``: only these chunk ids)."""
        k = min(k, len(self.chunks) if among is None else len(among))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        query = np.ascontiguousarray(qvec.reshape(1, -1), dtype=np.float32)
        if among is None:
            scores, ids = self.faiss.search(query, k)
        else:
            import faiss

            selector = faiss.IDSelectorBatch(np.ascontiguousarray(among, dtype=np.int64))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) if hasattr(self.faiss, "hnsw") \
                else faiss.SearchParameters(sel=selector)
            scores, ids = self.faiss.search(query, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        """Stored vectors of some chunks (used to reuse unchanged documents on rebuild)."""
        if not ids:
            return np.zeros((0, self.faiss.d), np.float32)
        return np.stack([self.faiss.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def paragraph(self, chunk: Chunk) -> list[Chunk]:
        """The sentences of the chunk's paragraph, in order."""
        return [self.chunks[i] for i in self.by_doc[chunk.doc] if self.chunks[i].para == chunk.para]

    def document_text(self, doc_id: str) -> str:
        return self.documents[doc_id].text

    def file_offset(self, chunk: Chunk, i: int) -> int:
        """Offset in the document text of character ``i`` of ``chunk.text`` (cleaning only dropped characters)."""
        text = self.document_text(chunk.doc)
        pos, k = chunk.start, 0
        while pos < chunk.end:
            if k < len(chunk.text) and text[pos] == chunk.text[k]:
                if k == i:
                    return pos
                k += 1
            pos += 1
        return chunk.end - 1
