"""Answering a question: from its text to a verbatim answer with citations, or an honest "not found".

One module a stage, data flowing one way (``qa.api`` → here → ``qa.index``, ``qa.model``, ``qa.text``; nothing
there imports this package):

- :mod:`.question`: what a question asks for (kind, unit, terms, period, focus nouns); :mod:`.followup`: a short
  follow-up read as the previous question with a new subject;
- :mod:`.retrieve`: dense and BM25 hits, fused (:class:`~.retrieve.Hit`);
- :mod:`.windows`: the hits grown into the passages the reader reads, its spans mapped back onto sentences;
- :mod:`.features`: the span features and :class:`~.features.Candidate`, what ranking and abstention see, and
  the signature the fitted models record;
- :mod:`.candidates`: the possible answers in the windows, read in stages;
- :mod:`.decide`: ranking, abstention, reading in stages;
- :mod:`.result`: :class:`~.result.Answer` and :class:`~.result.Citation`, with offsets into the documents;
- :mod:`.pipeline`: the whole path, :func:`~.pipeline.answer`.

Nothing here loads a model at import time.
"""
