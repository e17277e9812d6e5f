"""Load test: concurrent clients asking through the web app's API (loopback only, bounded).

    python benchmarks/load.py [--clients 32] [--requests 320] [--url URL]

Without --url it starts app.py itself on a free loopback port (in a private copy of the project
home) and stops it at the end. Every answer is compared with the one a single client got for the
same question. Prints errors, mismatches, throughput and latency percentiles as JSON.

Each client is a client of its own as the app tells clients apart (it counts questions per address): it
has an address of its own, forwarded in ``X-Forwarded-For`` by this process, which the app trusts as a proxy
(``qa.testing.webapp.PROXY_ENV``). Start an app given with --url with ``QA_WEB_TRUSTED_PROXY=127.0.0.1``, or its
per-address share refuses all but a few of the clients.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from qa.config import library_environment

library_environment()

from qa.testing.load import run  # noqa: E402  (after the environment: gradio_client reads it)
from qa.testing.webapp import PROXY_ENV, make_home, start_app  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=320)
    ap.add_argument("--url")
    args = ap.parse_args()
    app = None
    if not args.url:
        app = start_app(make_home(Path(tempfile.mkdtemp(prefix="qa-load-"))), env=PROXY_ENV)
    try:
        result = run(args.url or app.url, args.clients, args.requests)
    finally:
        if app:
            app.stop()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["errors"] == 0 and result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
