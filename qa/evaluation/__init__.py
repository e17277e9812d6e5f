"""Measuring answers: on a gold question set about a report (:mod:`.report`, ``qa eval``) and on
reading-comprehension corpora, closed and end to end (:mod:`.mrc`)."""
