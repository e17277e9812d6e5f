"""The web app's settings (:mod:`qa.web`): its limits, the admin password, the fair shares, the proxies.

Reads ``QA_ADMIN_PASSWORD``, ``QA_ADMIN_PASSWORD_FILE``, ``GRADIO_TEMP_DIR`` and the ``QA_WEB_…`` variables (the
table is in :mod:`qa.config`); :func:`forwarding_environment` sets uvicorn's ``FORWARDED_ALLOW_IPS``. The numbers
are stated in the UI and in README.md.
"""

from __future__ import annotations

import os

# ---------------------------------------------------------------- limits, the feedback log

WEB_MAX_QUESTION_CHARS = 500  # longer questions are refused with a message
WEB_MAX_UPLOAD_FILE_BYTES = 20 * 1024 * 1024  # per uploaded file
WEB_MAX_UPLOAD_REQUEST_BYTES = 50 * 1024 * 1024  # per upload request / per "add documents" action
WEB_MAX_UPLOAD_FILES = 10  # files per "add documents" action
WEB_MAX_DOCUMENTS_BYTES = 500 * 1024 * 1024  # the managed documents folder as a whole
WEB_STAGING_MAX_BYTES = 200 * 1024 * 1024  # Gradio's upload staging folder, oldest files pruned beyond this
FEEDBACK_MAX_BYTES = 5 * 1024 * 1024  # feedback.jsonl is rotated when it would grow past this
FEEDBACK_BACKUPS = 3  # rotated feedback files kept (feedback.jsonl.1 … .3): at most 20 MB in all


def staging_dir() -> str | None:
    """``GRADIO_TEMP_DIR``: where Gradio stages uploads (``app.py`` makes a private folder when unset)."""
    return os.environ.get("GRADIO_TEMP_DIR") or None


# ---------------------------------------------------------------- the admin password

ENV_ADMIN_PASSWORD = "QA_ADMIN_PASSWORD"
ENV_ADMIN_PASSWORD_FILE = "QA_ADMIN_PASSWORD_FILE"
# Wrong admin passwords slow down the client address that sends them, and no one else: after its n-th wrong
# password in a row an address must wait min(BASE * 2**(n-1), MAX) seconds before its next try (tries meanwhile are
# refused at once, holding no slot); an hour without a wrong one, or a right one, forgets them.
WEB_ADMIN_RETRY_BASE_S = 1.0
WEB_ADMIN_RETRY_MAX_S = 300.0
WEB_ADMIN_RETRY_FORGET_S = 3600.0
WEB_ADMIN_THROTTLE_CLIENTS = 10_000  # addresses remembered (IPv6 by /64); the oldest are forgotten beyond this


def admin_password_settings() -> tuple[str | None, str | None]:
    """``QA_ADMIN_PASSWORD`` and ``QA_ADMIN_PASSWORD_FILE`` (None where unset): the web app's admin password, or
    the file holding it (:func:`qa.web.admin.load_admin_password` checks them)."""
    return os.environ.get(ENV_ADMIN_PASSWORD) or None, os.environ.get(ENV_ADMIN_PASSWORD_FILE) or None


# ---------------------------------------------------------------- fair shares, the queue, proxies

# Fair shares on the question routes (qa.web.fair). Every question (the chat's submit, a click on an
# example, the API's /ask) is one event in Gradio's shared queue. Measured on the 2-core build machine over loopback
# (benchmarks/load.py, benchmarks/flood.py): one answer takes about 0.06-0.11 s when the app is quiet; 32 clients
# (one address each, 320 questions) get, by questions answered at the same time (flood.py --sweep 1,2,3,4):
# 1: 8.7 answers/s, 2: 10.4 (p50 2.9 s), 3: 9.7, 4: 9.1. Each can be set in the environment (QA_WEB_…).
WEB_ASK_CONCURRENCY = 2  # questions answered at the same time: one per core, the sweep's best (QA_WEB_ASK_CONCURRENCY)
WEB_QUEUE_SIZE = 100  # events waiting in the shared queue, about 10 s of answers at 10/s; beyond: 503 (QA_WEB_QUEUE_SIZE)
# Questions one client address may have answering or waiting; the next is refused at once (429, "try again in
# N s") and takes no queue place. 4 answers at 2 at a time put at most 2 answer-times (about 0.2 s) in front of
# anyone else, and leave room for a page (a question and an example clicked while it is answered) and a script.
# Measured with flood.py (450 questions from one address on 150 connections) while a training job also kept both
# cores busy: the other address's answers took p50 0.25 s, max 0.36 s (0.07 s quiet); 441 refused, all in 0.1 s.
WEB_ASK_PER_CLIENT = 4  # QA_WEB_ASK_PER_CLIENT
ENV_WEB_ASK_CONCURRENCY, ENV_WEB_QUEUE_SIZE = "QA_WEB_ASK_CONCURRENCY", "QA_WEB_QUEUE_SIZE"
ENV_WEB_ASK_PER_CLIENT, ENV_WEB_TRUSTED_PROXY = "QA_WEB_ASK_PER_CLIENT", "QA_WEB_TRUSTED_PROXY"


def _web_count(name: str, default: int, low: int, high: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high} (it is {text[:40]!r})")
    return int(text)


def web_ask_concurrency() -> int:
    """``QA_WEB_ASK_CONCURRENCY``: questions the web app answers at the same time (default 2)."""
    return _web_count(ENV_WEB_ASK_CONCURRENCY, WEB_ASK_CONCURRENCY, 1, 64)


def web_queue_size() -> int:
    """``QA_WEB_QUEUE_SIZE``: events Gradio's shared queue holds; a call beyond it gets 503 (default 100)."""
    return _web_count(ENV_WEB_QUEUE_SIZE, WEB_QUEUE_SIZE, 1, 100_000)


def web_ask_per_client() -> int:
    """``QA_WEB_ASK_PER_CLIENT``: questions one client address may have answering or waiting (default 4)."""
    return _web_count(ENV_WEB_ASK_PER_CLIENT, WEB_ASK_PER_CLIENT, 1, 10_000)


def web_trusted_proxies() -> tuple[str, ...]:
    """``QA_WEB_TRUSTED_PROXY``: the addresses (or networks) of the reverse proxies whose ``X-Forwarded-For``
    names the client, comma-separated; empty (the default): the header is ignored and the client is the address
    the connection comes from. IPv6 networks and single addresses are allowed, ``*`` and host names are not."""
    import ipaddress

    text = os.environ.get(ENV_WEB_TRUSTED_PROXY, "")
    out = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"{ENV_WEB_TRUSTED_PROXY} must list proxy addresses such as 10.0.0.5 or 10.0.0.0/24, "
                             f"comma-separated (not {item[:40]!r})") from None
    return tuple(out)


def forwarding_environment() -> tuple[str, ...]:
    """Make the web server (uvicorn, which reads ``FORWARDED_ALLOW_IPS`` when it starts) take ``X-Forwarded-For``
    from :func:`web_trusted_proxies` only: from nobody unless one is named (uvicorn's own default trusts any
    connection from 127.0.0.1). Call before the server starts; returns the proxies trusted."""
    proxies = web_trusted_proxies()
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(proxies)
    return proxies
