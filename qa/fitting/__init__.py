"""Fitting how the reader's output is used (``qa fit-reader``): the ranking of candidate answers, the
abstention and the stages of reading (:class:`qa.model.heads.Heads`), on tuning questions only.

- :mod:`.data`: the tuning questions, each read once into its candidates (:class:`~.data.Asked`);
- :mod:`.models`: the fits (conditional logit, logistic regression, the stages), their figures and
  cross-validation;
- :mod:`.command`: the command, which writes ``reader.json``'s ``use`` beside the weights.
"""
