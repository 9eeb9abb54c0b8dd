"""What ``lacplan serve`` is started with (:class:`Settings`), and the rules that keep it safe
by default (:func:`check_settings`). Standard library only: the CLI checks its options before
the web framework is imported.

* It binds to 127.0.0.1 unless told otherwise. A loopback address (127.0.0.0/8, ::1) needs
  nothing more; any other bind needs bearer-token authentication (``--token-file``) and TLS
  (``--tls-cert`` and ``--tls-key``), or the explicit ``--insecure-no-auth`` /
  ``--insecure-no-tls``, each of which prints a warning (behind a TLS-terminating proxy on the
  same machine, bind to loopback instead: docs/service.md).
* The token file holds at least :data:`MIN_TOKEN_BYTES` bytes (a final line end is not part of
  the token) and is readable by its owner only; what it holds is never printed.
* Cross-origin requests get CORS headers only from the origins named by ``--cors-origin``
  (never ``*``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from lacplan.errors import UsageError
from lacplan.escape import printable

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_CASES",
    "DEFAULT_TIMEOUT",
    "MIN_TOKEN_BYTES",
    "Settings",
    "check_settings",
    "is_loopback",
    "read_token_file",
]

#: ``--max-body``: the most bytes a request body may hold (counted as they arrive).
DEFAULT_MAX_BODY: Final = 10 * 2**20
#: ``--max-cases``: the most records one request may hold.
DEFAULT_MAX_CASES: Final = 1000
#: ``--timeout``: seconds a request may take, checked between cases.
DEFAULT_TIMEOUT: Final = 30.0
#: The fewest bytes a token file may hold.
MIN_TOKEN_BYTES: Final = 32
_MAX_TOKEN_BYTES: Final = 4096
_ORIGIN: Final = re.compile(
    r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


@dataclass(frozen=True, slots=True)
class Settings:
    """The options of ``lacplan serve`` (``--host``, ``--port``, ...), by the same names."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    token_file: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    insecure_no_auth: bool = False
    insecure_no_tls: bool = False
    max_body: int = DEFAULT_MAX_BODY
    max_cases: int = DEFAULT_MAX_CASES
    timeout: float = DEFAULT_TIMEOUT
    cors_origins: tuple[str, ...] = field(default=())
    docs: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (passed to each worker process)."""
        out = asdict(self)
        out["cors_origins"] = list(self.cors_origins)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return cls(**{**data, "cors_origins": tuple(data.get("cors_origins", ()))})


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address: 127.0.0.0/8 or ::1 (a literal address; a name
    such as ``localhost`` is not taken on trust)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token_file(path: str) -> bytes:
    """The bearer token in ``path``: a regular file readable by its owner only, holding at
    least :data:`MIN_TOKEN_BYTES` bytes once a final line end is dropped. Anything else is a
    ``UsageError`` naming the file and the rule, never what it holds."""
    name = printable(repr(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"--token-file: cannot open {name}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"--token-file: {name} is not a regular file")
        if mode & 0o044:
            raise UsageError(
                f"--token-file: {name} is readable by group or others (mode "
                f"{stat.S_IMODE(mode):04o}); a token file must be readable by its owner only "
                "(chmod 600 it)"
            )
        data = os.read(fd, _MAX_TOKEN_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--token-file: cannot read {name}: {exc.strerror}") from None
    finally:
        os.close(fd)
    token = data.removesuffix(b"\n").removesuffix(b"\r")
    if not MIN_TOKEN_BYTES <= len(token) <= _MAX_TOKEN_BYTES or not _is_token(token):
        raise UsageError(
            f"--token-file: {name} must hold one token of {MIN_TOKEN_BYTES} to "
            f"{_MAX_TOKEN_BYTES} printable ASCII characters, no spaces (e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > FILE)"
        )
    return token


def _is_token(token: bytes) -> bool:
    return all(0x21 <= b <= 0x7E for b in token)


def check_settings(settings: Settings) -> list[str]:
    """Refuse unsafe or impossible settings (``UsageError``); the warnings to print for the
    insecure ones that were asked for explicitly."""
    s = settings
    if not 0 <= s.port <= 65535:
        raise UsageError("--port must be from 0 to 65535")
    if s.workers < 1:
        raise UsageError("--workers must be 1 or more")
    if s.max_body < 1 or s.max_cases < 1 or not s.timeout > 0:
        raise UsageError("--max-body, --max-cases and --timeout must be more than 0")
    if (s.tls_cert is None) != (s.tls_key is None):
        raise UsageError("give --tls-cert and --tls-key together")
    for origin in s.cors_origins:
        if not _ORIGIN.fullmatch(origin):
            raise UsageError(
                "--cors-origin takes an origin, scheme://host[:port] (such as "
                "https://cases.example.org), never * or a path"
            )
    if s.token_file is not None and s.insecure_no_auth:
        raise UsageError("give --token-file or --insecure-no-auth, not both")
    if s.tls_cert is not None and s.insecure_no_tls:
        raise UsageError("give --tls-cert/--tls-key or --insecure-no-tls, not both")
    warnings: list[str] = []
    if is_loopback(s.host):
        return warnings
    where = printable(s.host)
    if s.token_file is None and not s.insecure_no_auth:
        raise UsageError(
            f"--host {where} is not a loopback address: give --token-file FILE (bearer-token "
            "authentication), or --insecure-no-auth to serve without it"
        )
    if s.tls_cert is None and not s.insecure_no_tls:
        raise UsageError(
            f"--host {where} is not a loopback address: give --tls-cert and --tls-key, or "
            "--insecure-no-tls behind a TLS-terminating proxy"
        )
    if s.insecure_no_auth:
        warnings.append(
            f"--insecure-no-auth: anyone who can reach {where} port {s.port} can send cases "
            "and read the answers"
        )
    if s.insecure_no_tls:
        warnings.append(
            f"--insecure-no-tls: requests to {where} port {s.port}, children's data and the "
            "token included, travel unencrypted unless a proxy in front encrypts them"
        )
    return warnings
