"""Settings: where things live, which model to use, what a document and a question may be, the web app's.

The environment is read here and nowhere else in ``qa`` (``tests/test_layout.py`` checks it), so the web app,
the CLI and the tests agree without passing paths around. By concern:

- :mod:`.environment`: paths, the model and the reader, the encoders, OCR, verbosity; the environment of this
  process, of the libraries (:func:`~.environment.library_environment`, :func:`~.environment.quiet_libraries`)
  and of a child process;
- :mod:`.limits`: what one question and one document may be (fixed, not read from the environment);
- :mod:`.indexing`: the index format version and the chunk settings;
- :mod:`.options`: command-line options from settings dataclasses;
- :mod:`.web`: the web app's limits, admin password, fair shares, queue, proxies and staging folder.

Every variable read, with its default (the same table as README.md's "Configuration"):

==========================  ==================================  ===============================================
variable                    default                             meaning
==========================  ==================================  ===============================================
``QA_HOME``                 this checkout (else the current     project folder with ``seeds/`` and ``index/``
                            directory)
``QA_INDEX``                ``$QA_HOME/index``                  index folder
``QA_MODEL``                the bundled e5-small                a sentence-transformers model name or path
                                                                (local or cached: nothing is downloaded)
``QA_CACHE_DIR``            ``~/.cache/qa``                     converted model and ONNX export
                            (``$XDG_CACHE_HOME/qa``)
``QA_VERBOSE``              off                                 ``1``: the libraries' warnings and progress bars
                                                                too (what ``qa -v`` and ``app.py -v`` set)
``QA_READER``               the shipped weights                 a folder with other ``reader.int8.onnx`` and
                                                                ``reader.json`` (or a reader class's import
                                                                path: the tests' ``qa.testing.fakes:OverlapReader``)
``QA_QUERY_BACKEND``        ``onnx-int8``                       question encoding: ``onnx-int8``, ``onnx`` or
                                                                ``torch``
``QA_DOC_BACKEND``          ``fast``                            document encoding: ``fast`` (the ONNX encoder)
                                                                or ``torch``
``QA_OCR_MAX_PAGES``        ``100``                             pages of a document OCR reads at most (``0``:
                                                                none)
``QA_ADMIN_PASSWORD``       none                                the web app's admin password
``QA_ADMIN_PASSWORD_FILE``  none                                a file holding it (set only one)
``GRADIO_TEMP_DIR``         a private folder, removed on exit   where uploads are staged
``QA_WEB_ASK_CONCURRENCY``  ``2``                               questions answered at the same time (1–64)
``QA_WEB_QUEUE_SIZE``       ``100``                             places in the shared queue; beyond, ``503``
``QA_WEB_ASK_PER_CLIENT``   ``4``                               questions an address may have answering or
                                                                waiting; beyond, ``429``
``QA_WEB_TRUSTED_PROXY``    none (header ignored)               reverse proxies (comma-separated) whose
                                                                ``X-Forwarded-For`` is trusted
``CI``                      unset                               ``true``: the tests' validation guards fail,
                                                                not skip, when ``../shared`` is missing
==========================  ==================================  ===============================================

Written, never read back as settings: ``GRADIO_ANALYTICS_ENABLED``, ``HF_HUB_OFFLINE`` and the libraries' other
switches (:func:`~.environment.library_environment`), ``FORWARDED_ALLOW_IPS`` for uvicorn
(:func:`~.web.forwarding_environment`), and what :func:`~.environment.set_environment` is given.

This package re-exports the names of :mod:`.environment`, :mod:`.limits`, :mod:`.indexing` and :mod:`.options`
listed in ``__all__`` (``from qa.config import default_index_dir`` works); the web app's settings are imported
from :mod:`qa.config.web`.
"""

from .environment import (DEFAULT_MODEL, cache_dir, child_environment, default_index_dir, default_model,
                          default_model_override, default_mrc_dir, default_seeds_dir, doc_backend,
                          library_environment, ocr_max_pages, project_home, query_backend, quiet_libraries,
                          reader_setting, reader_weights_dir, set_environment, under_ci, verbose)
from .indexing import INDEX_FORMAT_VERSION, ChunkSettings
from .limits import (MAX_DOC_CHARS, MAX_DOC_PARAGRAPHS, MAX_DOCX_UNZIPPED_BYTES, MAX_FILE_BYTES, MAX_HTML_TAGS,
                     MAX_PDF_CONTENT_BYTES, MAX_PDF_PAGE_CONTENT_BYTES, MAX_PDF_PAGES, MAX_QUESTION_CHARS)
from .options import add_settings, settings_from

__all__ = [
    # environment
    "DEFAULT_MODEL", "cache_dir", "child_environment", "default_index_dir", "default_model", "default_model_override",
    "default_mrc_dir", "default_seeds_dir", "doc_backend", "library_environment", "ocr_max_pages", "project_home",
    "query_backend", "quiet_libraries", "reader_setting", "reader_weights_dir", "set_environment", "under_ci",
    "verbose",
    # indexing
    "INDEX_FORMAT_VERSION", "ChunkSettings",
    # limits
    "MAX_DOC_CHARS", "MAX_DOC_PARAGRAPHS", "MAX_DOCX_UNZIPPED_BYTES", "MAX_FILE_BYTES", "MAX_HTML_TAGS",
    "MAX_PDF_CONTENT_BYTES", "MAX_PDF_PAGE_CONTENT_BYTES", "MAX_PDF_PAGES", "MAX_QUESTION_CHARS",
    # options
    "add_settings", "settings_from",
]
