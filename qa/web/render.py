"""HTML for the web chat: answers, sources, context and the documents table.

Everything that comes from a document, a file name or a question is untrusted. :func:`esc`
turns it into inert text for both HTML and Markdown renderers: HTML metacharacters become
entities, and so does every ASCII punctuation mark Markdown, LaTeX or a template engine could
read as syntax (``[`` ``(`` ``!`` ``*`` ``$`` ``{`` …). A character reference is never syntax,
so ``![x](http://host/p.png)`` stays text and nothing is fetched. The markup built here has no
blank lines, so Markdown renderers treat each block as one raw HTML block.
"""

from __future__ import annotations

import re
from typing import Iterable

from ..api import Answer, Citation

_ENTITY = {c: f"&#{ord(c)};" for c in "&<>\"'`*_[](){}#+-.!|~$\\:@="}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def esc(text: object) -> str:
    """Untrusted text → HTML that displays exactly that text and is never markup or Markdown."""
    s = _CONTROL.sub("", str(text)).replace("\r", "")
    s = "".join(_ENTITY.get(c, c) for c in s)
    return s.replace("\n", " ").replace("\t", " ")


def highlighted(quote: str, span: tuple[int, int] | list[int] | None, *more: tuple[int, int]) -> str:
    """The quote, escaped, with ``quote[a:b]`` (and each further span, in order, not overlapping) wrapped in
    ``<mark>``."""
    out, at = [], 0
    for span in sorted(x for x in (span, *more) if x):
        a, b = max(at, int(span[0])), min(len(quote), int(span[1]))
        if a < b:
            out.append(f"{esc(quote[at:a])}<mark class=\"qa-hl\">{esc(quote[a:b])}</mark>")
            at = b
    return "".join(out) + esc(quote[at:])


def where(c: Citation) -> str:
    """Document (its place and year as a report, else its title) › section path, escaped."""
    parts = [p for p in (c.source or c.doc, *(c.section.split(" > ") if c.section else [])) if p]
    return " › ".join(esc(p) for p in parts)


def others_html(answer: Answer) -> str:
    """What the other reports in scope answer to the same question: one line each, with their report."""
    if not answer.others:
        return ""
    out = ['<div class="qa-others"><div class="qa-note">其他报告怎么说：</div><ul>']
    for c in answer.others:
        said = c.quote[c.highlight[0]:c.highlight[1]] if c.highlight else c.quote
        out.append(f'<li><span class="qa-other-doc">{esc(c.source or c.doc)}</span>：{esc(said)}'
                   f'<span class="qa-off">（{offsets(c)}）</span></li>')
    out.append("</ul></div>")
    return "".join(out)


def offsets(c: Citation) -> str:
    """Where the quote is: the file, its page for a paged source (PDF, page image), the character offsets."""
    page = f" 第{int(c.page)}页" if c.page else ""
    return f"{esc(c.doc)}{page} 第{c.start}–{c.end}字"


def answer_html(answer: Answer, asked: str, resolved: str | None = None, nearest: int = 3) -> str:
    """One chat reply: the short answer, the cited sentence with the answer marked, the citation.

    An abstention says plainly that the documents do not answer and offers the nearest passages.
    """
    out = ['<div class="qa-reply">']
    if resolved and resolved != asked:
        out.append(f'<div class="qa-resolved">理解为：{esc(resolved)}</div>')
    if answer.abstained or not answer.citations:
        out.append(f'<div class="qa-answer qa-none">{esc(answer.message or "文档中没有找到这个问题的答案。")}</div>')
        out.append('<div class="qa-note">The documents do not say. 文档没有直接回答这个问题；'
                   '下面是最接近的段落（全文见右侧“来源”）：</div>')
        if answer.citations:
            out.append('<ol class="qa-nearest">')
            for c in answer.citations[:nearest]:
                quote = c.quote if len(c.quote) <= 70 else c.quote[:70] + "…"
                out.append(f'<li><span class="qa-q">{esc(quote)}</span>'
                           f'<span class="qa-where">{where(c)}</span></li>')
            out.append("</ol>")
        out.append(others_html(answer))
    elif len(answer.parts) > 1:  # a list, an outline, measures: each part highlighted in its quote
        out.append(f'<div class="qa-note">共{len(answer.parts)}项，均为原文：</div><ol class="qa-parts">')
        parts = answer.parts
        for k, p in enumerate(parts):
            c = p.citation
            out.append(f'<li><div class="qa-answer qa-part">{esc(p.text)}</div>')
            if k + 1 < len(parts) and c.same_passage(parts[k + 1].citation):  # the quote comes once, after its
                out.append(f'<div class="qa-off">（{esc(p.doc)} 第{p.start}–{p.end}字）</div></li>')  # last part
                continue
            marks = [q.citation.highlight for q in parts[:k] if q.citation.same_passage(c)]
            out.append(f'<blockquote class="qa-quote">「{highlighted(c.quote, c.highlight, *marks)}」</blockquote>'
                       f'<div class="qa-cite">出处：{where(c)}<span class="qa-off">（{offsets(c)}）</span></div></li>')
        out.append("</ol>")
        out.append(others_html(answer))
    else:
        c = answer.citations[0]
        out.append(f'<div class="qa-answer">{esc(answer.answer)}</div>')
        out.append(f'<blockquote class="qa-quote">「{highlighted(c.quote, c.highlight)}」</blockquote>')
        out.append(f'<div class="qa-cite">出处：{where(c)}<span class="qa-off">（{offsets(c)}）</span></div>')
        out.append(others_html(answer))
    out.append("</div>")
    return "".join(out)


def error_html(message: str) -> str:
    return f'<div class="qa-reply qa-error">{esc(message)}</div>'


def context_html(rows: Iterable[dict], citation: Citation) -> str:
    """The sentences around a cited passage; the cited one marked (and its answer span inside it)."""
    out = ['<div class="qa-ctx">']
    section = None
    for r in rows:
        if r.get("section") != section:
            section = r.get("section")
            out.append(f'<div class="qa-ctx-sec">{esc(section or "（无标题）")}</div>')
        if r.get("quote"):
            out.append(f'<p class="qa-ctx-quote"><mark class="qa-quote-mark">'
                       f'{highlighted(r["text"], citation.highlight)}</mark></p>')
        else:
            out.append(f'<p>{esc(r["text"])}</p>')
    out.append("</div>")
    return "".join(out)


def sources_html(answer: Answer | None, contexts: list[str] | None = None) -> str:
    """The sources panel: each passage with its section path and score; open one to see its context."""
    if answer is None:
        return '<div class="qa-sources qa-empty">提问后，这里列出答案所依据的段落。点开一条可查看上下文。</div>'
    if not answer.citations:
        return '<div class="qa-sources qa-empty">没有找到相关段落。</div>'
    out = ['<div class="qa-sources">']
    for i, c in enumerate(answer.citations):
        ctx = contexts[i] if contexts and i < len(contexts) else ""
        used = " qa-used" if i == 0 and not answer.abstained else ""
        out.append(f'<details class="qa-src{used}" data-rank="{i + 1}"><summary>'
                   f'<span class="qa-rank">{i + 1}</span>'
                   f'<span class="qa-where">{where(c)}</span>'
                   f'<span class="qa-score">相关度 {c.score:.2f}</span>'
                   f'<span class="qa-snip">{highlighted(c.quote, c.highlight)}</span></summary>'
                   f'{ctx or "<div class=qa-ctx>上下文不可用。</div>"}'
                   f'<div class="qa-off">{offsets(c)}</div></details>')
    out.append(others_html(answer))
    out.append("</div>")
    return "".join(out)


def documents_html(docs: list[dict]) -> str:
    """The documents table (title, file, sections, passages, when built)."""
    if not docs:
        return '<div class="qa-docs qa-empty">索引中还没有文档。</div>'
    rows = "".join(
        f'<tr><td>{esc(d.get("label") or d.get("title") or "")}</td><td class="qa-file">{esc(d.get("doc_id"))}</td>'
        f'<td>{int(d.get("sections") or 0)}</td><td>{int(d.get("chunks") or 0)}</td>'
        f'<td>{esc(d.get("built") or "")}</td></tr>' for d in docs)
    return ('<table class="qa-docs"><thead><tr><th>标题</th><th>文件</th><th>章节</th><th>句段</th>'
            f'<th>建立时间</th></tr></thead><tbody>{rows}</tbody></table>')


CSS = """
.qa-reply { line-height: 1.7; }
.qa-answer { font-size: 1.25em; font-weight: 700; color: var(--body-text-color); margin: 2px 0 6px; }
.qa-parts { margin: 4px 0 6px; padding-left: 1.4em; }
.qa-parts li { margin-bottom: 6px; }
.qa-answer.qa-part { font-size: 1.05em; margin: 0 0 2px; }
.qa-none { color: #b45309; }
.qa-resolved { font-size: .9em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.qa-quote { margin: 4px 0 6px; padding: 6px 10px; border-left: 3px solid #2563eb;
  background: var(--background-fill-secondary); font-size: .95em; }
.qa-hl { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 2px; font-weight: 600; }
.qa-cite, .qa-where, .qa-off { font-size: .85em; color: var(--body-text-color-subdued); }
.qa-note { font-size: .9em; margin: 4px 0; }
.qa-nearest { margin: 4px 0 0 1.2em; padding: 0; font-size: .92em; }
.qa-nearest li { margin-bottom: 4px; }
.qa-nearest .qa-where { display: block; }
.qa-error { color: #b91c1c; }
.qa-sources { display: flex; flex-direction: column; gap: 6px; }
.qa-empty { color: var(--body-text-color-subdued); font-size: .92em; padding: 8px; }
.qa-src { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 8px;
  background: var(--background-fill-primary); }
.qa-src.qa-used { border-color: #2563eb; }
.qa-src summary { cursor: pointer; list-style: none; display: flex; flex-wrap: wrap; gap: 2px 8px;
  align-items: baseline; }
.qa-src summary::-webkit-details-marker { display: none; }
.qa-rank { font-weight: 700; color: #2563eb; }
.qa-score { margin-left: auto; font-size: .8em; color: var(--body-text-color-subdued); }
.qa-snip { flex-basis: 100%; font-size: .9em; line-height: 1.6; }
.qa-src[open] .qa-snip { display: none; }
.qa-ctx { margin-top: 6px; font-size: .9em; line-height: 1.7; }
.qa-ctx p { margin: 2px 0; }
.qa-ctx-sec { font-size: .8em; color: var(--body-text-color-subdued); margin-top: 4px; }
.qa-quote-mark { background: #dbeafe; color: #111827; }
.qa-docs { width: 100%; border-collapse: collapse; font-size: .92em; }
.qa-docs th, .qa-docs td { border-bottom: 1px solid var(--border-color-primary); padding: 4px 6px; text-align: left; }
.qa-file { word-break: break-all; }
.qa-others ul { margin: 2px 0 0 1.2em; padding: 0; font-size: .92em; }
.qa-other-doc { font-weight: 600; }
#qa-progress { min-height: 90px; }
#qa-sources-panel { overflow-y: auto; }
.qa-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin: 0 0 2px; }
.qa-title { font-size: 1.5em; font-weight: 700; }
.qa-sub { color: var(--body-text-color-subdued); font-size: .92em; }
.qa-status { white-space: pre-wrap; }
"""
