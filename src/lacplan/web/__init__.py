"""The in-browser app (docs/web.md): :mod:`~lacplan.web.build` makes the static bundle,
:mod:`~lacplan.web.serve` serves it on loopback with its content security policy, and
:mod:`~lacplan.web.bridge` is what the page's Web Worker calls in Pyodide."""

from __future__ import annotations

#: The page's content security policy: in ``index.html``'s ``<meta>`` and sent as a header
#: by ``lacplan web serve``. Nothing may be fetched or sent but to the page's own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; "
    "connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; base-uri 'none'; "
    "form-action 'none'"
)

__all__ = ["CONTENT_SECURITY_POLICY"]
