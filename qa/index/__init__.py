"""The index: building it from documents (:mod:`.build`), the stored index with its manifest, FAISS vectors and
chunks (:mod:`.store`), and BM25 (:mod:`.bm25`)."""
