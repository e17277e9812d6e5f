"""Bounds on what one question and one document may be (the web app's own, smaller ones are in :mod:`.web`).

The document bounds are enforced in :mod:`qa.text.limits` and :mod:`qa.text.decode`: past one, the file is
refused with its reason. None of them is read from the environment.
"""

MAX_QUESTION_CHARS = 2000  # longer questions are truncated (see qa.answering.question.prepare)
MAX_FILE_BYTES = 20 * 1024 * 1024  # documents above this size are refused

# The work one document may cause (qa.text.limits); past a bound the file is refused with its reason.
# Measured on the 2-core build machine while another job kept it busy (load 5-7, so about 3x slower than idle):
# python-docx reads about 3,500 paragraphs/s (a 9.7 KB .docx of 1,000,000 empty paragraphs would take minutes);
# pypdf extracts a typeset CJK page (about 10 KB of content stream, 1,800 characters) in 14 ms and took 8 s for
# one page whose 2 MB stream is all text operators; BeautifulSoup parses about 17,000 tags/s; building the index
# embeds about 124 sentences/s (a sentence averages 56 characters in the seed report).
MAX_DOC_CHARS = 2_000_000  # extracted characters: 200x the seed report (10,184), about 5 minutes of embedding
MAX_DOC_PARAGRAPHS = 20_000  # paragraphs (for .docx: paragraph elements, empty ones included): about 6 s of python-docx
MAX_DOCX_UNZIPPED_BYTES = 64 * 1024 * 1024  # a .docx's parts decompressed, all together
MAX_PDF_PAGES = 2_000  # pages in a PDF's page tree: about 30 s of text extraction at 14 ms a page
MAX_PDF_CONTENT_BYTES = 8 * 1024 * 1024  # a PDF's page content streams decompressed: 800 typeset pages, 11 s
MAX_PDF_PAGE_CONTENT_BYTES = 2 * 1024 * 1024  # one page's content streams decompressed (8 s at worst)
MAX_HTML_TAGS = 100_000  # tags in an HTML file: about 6 s of BeautifulSoup
