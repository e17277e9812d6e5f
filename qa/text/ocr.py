"""Offline OCR of scanned pages and page images (RapidOCR: PP-OCRv4 detection and recognition on onnxruntime).

The models ship inside the ``rapidocr-onnxruntime`` wheel (Apache-2.0); nothing is downloaded. One engine
per process, loaded on first use and shared under a lock. Each recognised line comes back as a
:class:`qa.text.layout.Line` (its box in the caller's units), so OCR'd pages go through the same layout
reading (furniture, paragraphs, headings) and the same cleaning as a text layer. A line's size is the
smaller of its box height (which tall marks such as ``（“`` stretch by 10-20 %) and its width per character
(which justification stretches): the two err in opposite lines, so display headings stand out and body
lines with brackets do not.

OCR is the slow part of reading a document (measured on 2 cores, A4 at 200 dpi: several seconds a page),
so a document may have at most :data:`MAX_OCR_PAGES` pages to OCR (``QA_OCR_MAX_PAGES``); a longer one is
refused with that reason before any page is read.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata

from ..config.environment import ocr_max_pages
from .layout import Line

log = logging.getLogger(__name__)

OCR_DPI = 200  # scans are rendered at this resolution (11 pt text is ~30 px high: what the recogniser reads best)
MAX_OCR_PAGES = 100  # default page limit per document (about 4-7 minutes of OCR on 2 cores)
MAX_IMAGE_SIDE = 3500  # larger page images are scaled down to this before OCR (A3 at 200 dpi is 3308 px)
DET_SIDE = 1600  # lines are found on a copy of the page at most this many pixels a side
UNCLIP = 2.3  # how far a detected line's box is grown before it is cut out and read
MIN_SCORE = 0.5  # recognition confidence below which a line is dropped …
MIN_SCORE_PUNCT = 0.2  # … except a lone punctuation mark (a paragraph's last "。" on a line of its own)

_engine = None
_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    pass


def max_ocr_pages() -> int:
    return ocr_max_pages(MAX_OCR_PAGES)


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def engine():
    """The process-wide RapidOCR engine (loaded on first use, about 0.5 s)."""
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.utils import infer_engine
        except ImportError as e:  # pragma: no cover - a dependency of the package
            raise OcrUnavailable(f"OCR is not installed (rapidocr-onnxruntime: {e})")
        _no_spinning(infer_engine)
        # no line-angle classifier: on upright pages it turned whole lines upside down (measured: 2-3 lines of
        # ~38 a page lost, 0.5 s more a page); an upside-down page is caught as a whole instead (ocr_lines)
        # max_side_len: RapidOCR shrinks pages to 2000 px by default, an A4 page at 200 dpi to 171 dpi, which
        # misread 晋 as 普 and 祉 as 征 (measured on the typeset seed); pages are read at their own resolution
        # det_unclip_ratio: a line's box grown more than the default 1.6 keeps the tops and bottoms of its
        # characters in the crop the recogniser reads (measured on 6 typeset pages of the seed at 200 dpi:
        # 12 misread characters such as 万→方, 盂→孟, 士→土, 晋→普 at 1.6; 4 at 2.3 with lines found on a
        # 1600-pixel copy, two of them characters outside the recogniser's alphabet: 滹, 勠)
        _engine = RapidOCR(intra_op_num_threads=_threads(), inter_op_num_threads=1, text_score=0.0, use_cls=False,
                           max_side_len=MAX_IMAGE_SIDE, det_unclip_ratio=UNCLIP)
    return _engine


def _no_spinning(infer_engine) -> None:
    """onnxruntime's worker threads spin while waiting; on a busy machine (a build beside a server, or
    another job) that made recognition 8× slower (measured: 176 s instead of 21 s a page). Turn it off."""
    session = getattr(infer_engine, "OrtInferSession", None)
    init = getattr(session, "_init_sess_opts", None)
    if init is None or getattr(init, "_qa_patched", False):
        return

    def patched(config):
        opts = init(config)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return opts

    patched._qa_patched = True
    session._init_sess_opts = staticmethod(patched)


_PUNCT_ONLY = re.compile(r"^[\W_]+$")


def ocr_lines(image, scale: float = 1.0) -> list[Line]:
    """OCR one page image (PIL) → its lines, boxes multiplied by ``scale`` (e.g. 72/dpi for PDF points)."""
    image, shrink = _fit(image)
    with _lock:
        result = _recognise(image)
        if _readable(result) < 0.5 and len(result) >= 3:  # mostly unreadable: maybe the page is upside down
            turned = _recognise(image.rotate(180))
            if _readable(turned) > _readable(result):
                result = turned  # boxes on the page turned the right way up (same size: 180°)
    out: list[Line] = []
    for box, text, score in result:
        text = (text or "").strip()
        if not text or (score < MIN_SCORE and not (_PUNCT_ONLY.match(text) and score >= MIN_SCORE_PUNCT)):
            continue
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        k = scale * shrink
        x0, x1, top, bottom = min(xs) * k, max(xs) * k, min(ys) * k, max(ys) * k
        out.append(Line(text, x0, top, x1, bottom, size=min(bottom - top, (x1 - x0) / _ems(text))))
    return out


def _recognise(image) -> list:
    """``[(box, text, score)]``: lines found on a copy at most DET_SIDE pixels a side (finding them needs no
    fine detail: 0.5 s instead of 1.4 s for an A4 page at 200 dpi), each read from the page at its full
    resolution (read from a smaller copy, 晋 became 普 and 祉 征)."""
    eng = engine()
    side = max(image.size)
    crop = getattr(eng, "get_crop_img_list", None)
    read = getattr(eng, "text_rec", None)
    if side <= DET_SIDE or crop is None or read is None:
        return eng(image)[0] or []
    f = DET_SIDE / side
    small = image.resize((max(1, round(image.width * f)), max(1, round(image.height * f))))
    boxes = eng(small, use_rec=False)[0] or []
    if not boxes:
        return []
    import numpy as np

    full = np.asarray(image.convert("RGB"))[:, :, ::-1].copy()  # the recogniser reads BGR, like OpenCV
    pts = [np.asarray(b, dtype=np.float32) / f for b in boxes]
    texts, _ = read(crop(full, pts))
    return [(b.tolist(), text, float(score)) for b, (text, score, *_) in zip(pts, texts)]


def _readable(result) -> float:
    """Share of the detected lines recognised with confidence."""
    return sum(score >= MIN_SCORE for _, _, score in result) / len(result) if result else 0.0


def _ems(text: str) -> float:
    """The line's width in font sizes: a CJK character is one, a Latin letter or digit about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.3 if c.isspace() else 0.5 for c in text) or 1.0


def _fit(image):
    """Grayscale or RGB, at most MAX_IMAGE_SIDE pixels a side: ``(image, factor back to the original)``."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    side = max(image.size)
    if side <= MAX_IMAGE_SIDE:
        return image, 1.0
    f = MAX_IMAGE_SIDE / side
    return image.resize((max(1, round(image.width * f)), max(1, round(image.height * f)))), 1 / f
