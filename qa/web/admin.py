"""Who may change the documents, and how uploads are checked, named and stored.

- :class:`AdminGate`: on a loopback bind without a configured password, anyone at this machine
  may add and remove documents; with ``QA_ADMIN_PASSWORD`` (or ``QA_ADMIN_PASSWORD_FILE``) set,
  the password is always required (compared in constant time); on any other bind without a
  password the app is read-only. There is no default password and none on the command line.
  Wrong passwords are throttled per client address (:class:`Throttle`): the answer never sleeps,
  an address that guessed wrong is refused at once until its wait is over, nobody else waits.
- :func:`safe_name` reduces an uploaded file name to a safe base name; :func:`store` copies an
  upload into the managed documents folder without ever overwriting a file (``name-2.txt`` …).
- :func:`check_uploads` enforces the type, count and size limits before anything is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..config.web import (ENV_ADMIN_PASSWORD, ENV_ADMIN_PASSWORD_FILE, WEB_ADMIN_RETRY_BASE_S, WEB_ADMIN_RETRY_FORGET_S,
                          WEB_ADMIN_RETRY_MAX_S, WEB_ADMIN_THROTTLE_CLIENTS, WEB_MAX_DOCUMENTS_BYTES,
                          WEB_MAX_UPLOAD_FILE_BYTES, WEB_MAX_UPLOAD_FILES, WEB_MAX_UPLOAD_REQUEST_BYTES,
                          admin_password_settings)
from ..api import SUPPORTED

log = logging.getLogger(__name__)
MAX_NAME_BYTES = 120  # a stored file name's stem, in UTF-8 bytes (file systems allow 255)
ENV_PASSWORD, ENV_PASSWORD_FILE = ENV_ADMIN_PASSWORD, ENV_ADMIN_PASSWORD_FILE


class UploadError(ValueError):
    """An upload or removal is refused; the message is short and safe to show."""


class ConfigError(RuntimeError):
    """The operator's configuration is unusable (reported at start-up)."""


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


LIMITS_TEXT = (f"支持 {', '.join(sorted(SUPPORTED))}；每个文件不超过 {mb(WEB_MAX_UPLOAD_FILE_BYTES)}，"
               f"每次最多 {WEB_MAX_UPLOAD_FILES} 个文件、合计不超过 {mb(WEB_MAX_UPLOAD_REQUEST_BYTES)}。")


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_admin_password(env: dict | None = None) -> str | None:
    """The operator's admin password from the environment or a file; None when not configured."""
    if env is None:
        value, file = admin_password_settings()
    else:
        value, file = env.get(ENV_PASSWORD) or None, env.get(ENV_PASSWORD_FILE) or None
    if value and file:
        raise ConfigError(f"set only one of {ENV_PASSWORD} and {ENV_PASSWORD_FILE}")
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read {ENV_PASSWORD_FILE} ({e.__class__.__name__})") from None
        if not value:
            raise ConfigError(f"the file named by {ENV_PASSWORD_FILE} is empty")
    return value


def client_key(host: str | None) -> str:
    """The address a client is throttled by: IPv4 as is, IPv6 by its /64 network (one host owns a /64)."""
    try:
        ip = ipaddress.ip_address((host or "").strip("[]"))
    except ValueError:
        return host or "?"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Throttle:
    """Wrong passwords slow down the address that sends them: after its n-th wrong password in a row an
    address waits ``min(base * 2**(n-1), cap)`` seconds before its next try counts. Nothing sleeps: a try
    during the wait is refused at once (and does not lengthen it). A right password, or ``forget`` seconds
    without a wrong one, clears the address; at most ``max_clients`` addresses are remembered."""

    def __init__(self, base: float = WEB_ADMIN_RETRY_BASE_S, cap: float = WEB_ADMIN_RETRY_MAX_S,
                 forget: float = WEB_ADMIN_RETRY_FORGET_S, max_clients: int = WEB_ADMIN_THROTTLE_CLIENTS,
                 clock=time.monotonic):
        self.base, self.cap, self.forget, self.max_clients, self.clock = base, cap, forget, max_clients, clock
        self._lock = threading.Lock()
        self._state: OrderedDict[str, tuple[int, float, float]] = OrderedDict()  # key → (failures, until, last)

    def wait(self, client: str | None) -> float:
        """Seconds this client must still wait before a password from it is even compared (0: none)."""
        key, now = client_key(client), self.clock()
        with self._lock:
            failures, until, last = self._state.get(key, (0, 0.0, 0.0))
            if failures and now - last > self.forget:
                del self._state[key]
                return 0.0
            return max(0.0, until - now)

    def failed(self, client: str | None) -> float:
        """Count a wrong password from this client; returns its wait before the next try."""
        key, now = client_key(client), self.clock()
        with self._lock:
            failures, _, last = self._state.pop(key, (0, 0.0, 0.0))
            failures = 1 if now - last > self.forget else failures + 1
            delay = min(self.cap, self.base * 2 ** min(failures - 1, 30))
            self._state[key] = (failures, now + delay, now)
            while len(self._state) > self.max_clients:
                self._state.popitem(last=False)
            return delay

    def succeeded(self, client: str | None) -> None:
        with self._lock:
            self._state.pop(client_key(client), None)


@dataclass(frozen=True)
class Refusal:
    status: int  # the HTTP status a route answers with: 403 read-only, 401 wrong or missing, 429 wait
    message: str


@dataclass
class AdminGate:
    mode: str  # "open" (loopback, no password) | "password" | "readonly"
    _digest: bytes | None = None
    throttle: Throttle = field(default_factory=Throttle)

    @classmethod
    def create(cls, host: str, password: str | None) -> "AdminGate":
        if password:
            return cls("password", hashlib.sha256(password.encode("utf-8")).digest())
        return cls("open") if is_loopback(host) else cls("readonly")

    @property
    def status(self) -> str:
        if self.mode == "open":
            return "本机模式：服务只在本机地址上提供，添加和删除文档无需密码。"
        if self.mode == "password":
            return "【已锁定】添加和删除文档需要管理员密码。提问不需要密码。"
        return (f"【只读】服务对外开放且未配置管理员密码（{ENV_PASSWORD} 或 {ENV_PASSWORD_FILE}），"
                "不能添加或删除文档。提问不受影响。")

    def refusal(self, password: object, client: str | None = None) -> Refusal | None:
        """Why this caller may not change the documents, or None when it may. Never waits.

        ``client`` is the caller's address; a wrong password from it makes it wait before its next
        try (:class:`Throttle`). Without an address nothing is throttled (calls from Python).
        """
        if self.mode == "open":
            return None
        if self.mode == "readonly":
            return Refusal(403, "只读模式：服务器未配置管理员密码，不能添加或删除文档。")
        if client is not None and (wait := self.throttle.wait(client)) > 0:
            return Refusal(429, f"管理员密码错误次数过多：请 {max(1, round(wait))} 秒后再试，未做任何修改。")
        text = password if isinstance(password, str) else ""
        given = hashlib.sha256(text.encode("utf-8", "replace")).digest()
        if not text or not hmac.compare_digest(given, self._digest or b""):
            if password:  # a guess (an empty field is not one)
                delay = self.throttle.failed(client) if client is not None else 0
                log.warning("admin action refused: wrong password from %s (next try in %g s)",
                            client_key(client) if client is not None else "a local call", delay)
            return Refusal(401, "管理员密码不正确（或未填写），未做任何修改。")
        if client is not None:
            self.throttle.succeeded(client)
        return None

    def check(self, password: object, client: str | None = None) -> None:
        """Raise :class:`UploadError` unless this caller may change the documents (see :meth:`refusal`)."""
        if why := self.refusal(password, client):
            raise UploadError(why.message)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_name(name: str) -> str:
    """A safe base name for an uploaded file: no folders, no control characters, bounded length.

    Raises :class:`UploadError` when the extension is not a supported document type.
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c if c.isprintable() else " " if c.isspace() and c not in "\r\n" else "" for c in base)
    base = _UNSAFE.sub("_", base).rstrip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot or " " in ext:
        stem, ext = base, ""
    ext = "." + ext.lower() if ext else ""
    if ext not in SUPPORTED:
        raise UploadError(f"不支持的文件类型 {esc_name(ext or '（无扩展名）')}；{LIMITS_TEXT}")
    stem = stem.strip().lstrip(".").strip() or "document"
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + ext


def esc_name(name: str) -> str:
    """A file name shortened for messages (messages are escaped again when rendered)."""
    return name if len(name) <= 60 else name[:40] + "…" + name[-12:]


def unique_target(folder: Path, name: str, taken: set[str]) -> Path:
    """``folder/name``, or ``name-2``, ``name-3`` … when a file or an indexed document has that name."""
    stem, ext = name[: -len(Path(name).suffix) or None], Path(name).suffix
    used = {t.casefold() for t in taken}
    for n in range(1, 10_000):
        candidate = name if n == 1 else f"{stem}-{n}{ext}"
        if candidate.casefold() not in used and not (folder / candidate).exists():
            return folder / candidate
    raise UploadError("同名文件太多，请改名后再上传。")


def store(src: Path, folder: Path, name: str, taken: set[str]) -> Path:
    """Copy an upload into the managed folder under a new, unique name; never overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    for _ in range(5):
        target = unique_target(folder, name, taken)
        if target.resolve().parent != root:  # cannot happen with a safe_name; checked anyway
            raise UploadError("文件名无效。")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            continue  # raced with another writer: pick the next suffix
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
        taken.add(target.name)
        return target
    raise UploadError("无法保存文件，请重试。")


@dataclass
class Upload:
    path: Path  # the staged file
    name: str  # the safe name to store it under
    size: int


def check_uploads(paths: list[str], staging: Path | None, docs_dir: Path) -> list[Upload]:
    """Validate a batch of staged uploads (containment, type, count and sizes) before storing any."""
    if not paths:
        raise UploadError("请先选择要上传的文件。")
    if not isinstance(paths, (list, tuple)) or not all(isinstance(p, str) for p in paths):
        raise UploadError("上传的文件无效，请重新选择。")
    if len(paths) > WEB_MAX_UPLOAD_FILES:
        raise UploadError(f"一次最多上传 {WEB_MAX_UPLOAD_FILES} 个文件（这次有 {len(paths)} 个）。")
    root = staging.resolve() if staging else None
    out, total = [], 0
    for p in paths:
        path = Path(p)
        real = path.resolve()
        if (root and not real.is_relative_to(root)) or path.is_symlink() or not real.is_file():
            raise UploadError("上传的文件无效，请重新选择。")
        size = real.stat().st_size
        name = safe_name(path.name)
        if size > WEB_MAX_UPLOAD_FILE_BYTES:
            raise UploadError(f"文件 {esc_name(name)} 太大（{mb(size)}）：每个文件不超过 "
                              f"{mb(WEB_MAX_UPLOAD_FILE_BYTES)}。")
        total += size
        out.append(Upload(real, name, size))
    if total > WEB_MAX_UPLOAD_REQUEST_BYTES:
        raise UploadError(f"这次上传合计 {mb(total)}，超过每次 {mb(WEB_MAX_UPLOAD_REQUEST_BYTES)} 的上限。")
    stored = sum(f.stat().st_size for f in docs_dir.glob("*") if f.is_file()) if docs_dir.is_dir() else 0
    if stored + total > WEB_MAX_DOCUMENTS_BYTES:
        raise UploadError(f"文档库已接近 {mb(WEB_MAX_DOCUMENTS_BYTES)} 的容量上限，请先删除一些文档。")
    return out


_ABS_PATH = re.compile(r"(?<![\w.~])(?:[A-Za-z]:)?[/\\](?:[^\s'\"/\\]+[/\\])*([^\s'\"/\\]*)")


def scrub(message: str) -> str:
    """A message with absolute paths reduced to their last component (nothing of the server leaks)."""
    return _ABS_PATH.sub(lambda m: m.group(1) or "…", str(message))[:500]
