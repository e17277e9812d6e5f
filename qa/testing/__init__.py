"""Helpers shared by the tests (``tests/``) and the benchmarks (``benchmarks/``), which import them from here and
never from each other: generated corpora (:mod:`.corpus`), the reading-comprehension corpora as documents
(:mod:`.mrc_corpora`), typeset and scanned PDFs of the seed report (:mod:`.pdf_fixtures`; needs the ``test``
extra). Not used by the program itself."""
