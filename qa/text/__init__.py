"""Text: bytes → decoded text (:mod:`.decode`) → cleaned paragraphs with source offsets (:mod:`.documents`,
:mod:`.formats` for pdf/docx/html) → sections and sentences (:mod:`.structure`); the periods a text names
(:mod:`.periods`), punctuation (:mod:`.punctuation`) and the tokenizer and comparison form (:mod:`.tokens`).
Pure Python apart from jieba, pypdf, python-docx and BeautifulSoup, each loaded on first use."""
