"""The web chat: ``python app.py [--host 127.0.0.1] [--port 7860] [--index DIR]``.

Binds 127.0.0.1 by default. On any other address the documents tab is locked: adding and
removing documents need the admin password from ``QA_ADMIN_PASSWORD`` or the file named by
``QA_ADMIN_PASSWORD_FILE``; without one the app is read-only. Asking never needs a password.
Nothing is fetched from the network (no analytics, no share link, no remote fonts).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import shutil
import signal
import sys
import tempfile


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--index", default=None, help="index folder (default $QA_INDEX or <project>/index)")
    p.add_argument("-v", "--verbose", action="store_true", help="also show the libraries' own warnings")
    args = p.parse_args(argv)
    from qa.config.environment import library_environment, set_environment
    from qa.config.web import staging_dir

    if args.verbose:
        set_environment(QA_VERBOSE="1")
    library_environment()  # before gradio is imported: no analytics, nothing downloaded
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3", "sentence_transformers", "jieba", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    # Gradio stages uploads here before any handler runs; a private folder, removed on exit.
    staging = staging_dir()
    if not staging:
        staging = tempfile.mkdtemp(prefix="qa-web-staging-")
        set_environment(GRADIO_TEMP_DIR=staging)
        atexit.register(shutil.rmtree, staging, True)

    def stop(signum, frame):  # let atexit clean up on SIGTERM too
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)

    from pathlib import Path

    from qa.web.app import serve

    serve(host=args.host, port=args.port, index_dir=args.index, staging=Path(staging))


if __name__ == "__main__":
    main()
