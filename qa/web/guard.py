"""The request guard: ASGI middleware in front of all of Gradio (:class:`UploadGuard`).

- only the routes this app writes through are reachable with anything but GET/HEAD: the queue
  (``/gradio_api/queue/join``, ``/cancel``, ``/reset``), the named API (``/gradio_api/call/<name>``)
  and ``/gradio_api/upload``. Gradio's other built-ins (``/process_recording``, ``/run/…``,
  ``/component_server``, ``/stream/…``, ``/login`` …) answer 404; websockets are refused;
- files in the staging folder are never served back (``/gradio_api/file=…``): 404;
- every HTTP response carries :data:`SECURITY_HEADERS`; a 400 Gradio answers on the queue and API routes is
  sent as a short fixed message (:data:`BAD_REQUEST`), never the exception's text;
- an upload goes through :class:`qa.web.uploads.UploadMeter` (who may upload, its bytes counted, the staging
  folder bounded);
- with a :class:`qa.web.fair.FairShare`, a question (a queue/join of a question event, or
  ``/gradio_api/call/ask``) from an address that has its share answering or waiting already is refused
  with 429 before Gradio sees it (the body of a queue/join, at most ``MAX_JOIN_BYTES``, is read here to
  tell which event it joins, then handed on as it came).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..config.web import WEB_MAX_UPLOAD_REQUEST_BYTES, WEB_STAGING_MAX_BYTES
from .uploads import STAGING_FULL, UploadInterrupted, UploadMeter, UploadTooLarge

log = logging.getLogger(__name__)
# A queue/join's JSON body: the page's for a 500-character question measured 1,575 bytes (under 4 KB even with
# every character \u-escaped); an upload's lists at most 10 staged files, a few hundred bytes each. A larger one
# is refused (413) before Gradio parses it.
MAX_JOIN_BYTES = 256 * 1024
# Defence in depth for untrusted text: even if some markup slipped through escaping, the page may
# load nothing from another host, and cannot be framed by another site.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
     b"worker-src 'self' blob:; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
     b"form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
API = "/gradio_api"
UPLOAD_ROUTE = f"{API}/upload"
JOIN_ROUTE = f"{API}/queue/join"
QUEUE_ROUTES = frozenset({JOIN_ROUTE, f"{API}/cancel", f"{API}/reset"})  # what the page's client posts to


def _respond(status: int, text: str, extra: list | None = None):
    body = text.encode("utf-8")
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")] + (extra or [])},
            {"type": "http.response.body", "body": body})


async def _read_body(receive, limit: int) -> bytes | None:
    """A request's body, read up to just past ``limit`` bytes (longer: cut there); None when the client left."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that hands on ``body`` once, as one message, then waits on the connection as before."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


BAD_REQUEST = json.dumps({"detail": "Invalid request. 请求无效。"}).encode()


def _short_bad_requests(send):
    """Gradio answers a call it refuses before the queue (an input it cannot read, say) with 400 and the
    exception's text, which may repeat paths; this sends a short fixed message instead."""
    replacing = False

    async def wrapped(message):
        nonlocal replacing
        if message["type"] == "http.response.start" and message.get("status") == 400:
            replacing = True
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in (b"content-length",
                                                                                          b"content-type")]
            message = dict(message, headers=headers + [(b"content-type", b"application/json"),
                                                       (b"content-length", str(len(BAD_REQUEST)).encode())])
        elif message["type"] == "http.response.body" and replacing:
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": BAD_REQUEST}
        await send(message)

    return wrapped


class UploadGuard:
    """ASGI middleware guarding Gradio's routes and its upload staging (see the module docstring); it also
    adds :data:`SECURITY_HEADERS` to every HTTP response.

    ``gate`` (a :class:`qa.web.admin.AdminGate`) decides who may upload; without one, ``read_only``
    does. ``api_names`` are the named endpoints reachable at ``/gradio_api/call/<name>`` (None: any).
    ``fair`` (a :class:`qa.web.fair.FairShare`, attached to the app's Blocks) bounds each address's questions.
    ``uploads`` is the :class:`qa.web.uploads.UploadMeter` made of ``staging``, ``read_only``, ``gate``,
    ``max_request`` and ``staging_limit``.
    """

    def __init__(self, app, staging: Path, read_only: bool = False, max_request: int = WEB_MAX_UPLOAD_REQUEST_BYTES,
                 staging_limit: int = WEB_STAGING_MAX_BYTES, gate=None, api_names=None, fair=None):
        self.app, self.staging, self.gate, self.fair = app, Path(staging), gate, fair
        self.api_names = frozenset(api_names) if api_names is not None else None
        self.uploads = UploadMeter(self.staging, read_only, gate, max_request, staging_limit)

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "websocket":  # this app uses none: refuse the handshake
            await send({"type": "websocket.close", "code": 1008})
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        method, path = scope["method"], scope["path"]
        route = path.rstrip("/") or "/"
        if method in ("GET", "HEAD"):
            if self._is_staged_file(route):
                await self._refuse(send_with_headers, 404, "Not found.", f"{method} staged file")
                return
            await self.app(scope, receive, send_with_headers)
            return
        if method != "POST":
            await self._refuse(send_with_headers, 405, "Method not allowed.", f"{method} {path[:80]}")
            return
        if route == UPLOAD_ROUTE:
            await self._upload(scope, receive, send_with_headers)
            return
        if route in QUEUE_ROUTES or self._is_api_call(route):
            if self.fair is not None and (route == JOIN_ROUTE or self._is_api_call(route)):
                await self._question(scope, receive, _short_bad_requests(send_with_headers), route)
                return
            await self.app(scope, receive, _short_bad_requests(send_with_headers))
            return
        await self._refuse(send_with_headers, 404, "Not found.", f"POST {path[:80]}")

    def _is_api_call(self, route: str) -> bool:
        prefix = f"{API}/call/"
        if not route.startswith(prefix):
            return False
        name = route[len(prefix):]
        return "/" not in name and (self.api_names is None or name in self.api_names)

    def _is_staged_file(self, route: str) -> bool:
        for prefix in (f"{API}/file=", f"{API}/file/", "/file="):
            if route.startswith(prefix):
                target = route[len(prefix):]
                break
        else:
            return False
        try:
            real = Path(os.path.abspath(target)).resolve()
            return real.is_relative_to(self.staging.resolve())
        except (OSError, ValueError, RuntimeError):
            return True  # cannot tell: do not serve it

    @staticmethod
    async def _refuse(send, status: int, text: str, what: str = "", extra: list | None = None) -> None:
        log.warning("refused %s (%s): %s", what or "request", status, text)
        start, body = _respond(status, text, extra)
        await send(start)
        await send(body)

    # ---------------------------------------------------------------- questions

    async def _question(self, scope, receive, send, route: str) -> None:
        """A call that may queue an event: a question past its address's share is refused (429) here."""
        client = (scope.get("client") or (None,))[0]
        if route == JOIN_ROUTE:
            body = await _read_body(receive, MAX_JOIN_BYTES)
            if body is None:  # the client went away
                return
            if len(body) > MAX_JOIN_BYTES:
                await self._refuse(send, 413, "Request too large.", "queue/join")
                return
            receive = _replay(body, receive)
            try:
                joined = json.loads(body)
                question = self.fair.is_question_event(joined.get("fn_index") if isinstance(joined, dict) else None)
            except (ValueError, RecursionError):  # not JSON (or nested past the parser's depth)
                question = False  # Gradio answers it (422)
        else:
            question = self.fair.is_question_api(route.rsplit("/", 1)[1])
        if not question:
            await self.app(scope, receive, send)
            return
        if why := self.fair.refusal(client):
            body = json.dumps({"detail": why.message}, ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(why.wait_s).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        release = self.fair.admit(client)

        async def released_send(message):
            if message["type"] == "http.response.start":
                release()  # Gradio has answered the call: its event is in the queue now (or was not queued)
            await send(message)

        try:
            await self.app(scope, receive, released_send)
        finally:
            release()

    # ---------------------------------------------------------------- uploads

    async def _upload(self, scope, receive, send) -> None:
        """An upload, refused before a byte is staged (:meth:`UploadMeter.refusal`, a full staging folder) or
        handed to Gradio metered (:class:`qa.web.uploads.Metered`)."""
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        client = (scope.get("client") or (None,))[0]
        refusal = self.uploads.refusal(headers, client)
        if refusal:
            await self._refuse(send, *refusal, what="upload")
            return
        allowed = self.uploads.reserve(headers)
        if allowed is None:
            await self._refuse(send, *STAGING_FULL, what="upload")
            return
        metered = self.uploads.metered(receive, send, allowed, client)
        try:
            await self.app(scope, metered.receive, metered.send)
        except (UploadTooLarge, UploadInterrupted) as e:  # in case Gradio did not turn it into its answer
            if not metered.started:
                metered.status = 413 if isinstance(e, UploadTooLarge) else 400
                await self._refuse(send, metered.status, e.message, what="upload")
        finally:
            self.uploads.release(allowed, metered.status)
