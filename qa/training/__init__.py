"""Training the extractive reader (``qa train-reader``): the reading-comprehension data and its splits
(:mod:`.data`), the questions made from them (:mod:`.augment`), the run (:mod:`.train`), a trained reader's weights
read back to start from (:mod:`.warm`) and the shipped files written (:mod:`.export`).

The program at question time never imports this room: what it needs of the reader (windows, limits, the int8 form)
is in :mod:`qa.model`. Training needs torch and OpenCC (``pip install -e '.[train]'``)."""
