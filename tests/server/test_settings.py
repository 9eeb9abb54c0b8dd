"""Safe by default, before any web framework: the bind rules and the token file (standard
library only, so these run without the server extra)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lacplan.errors import UsageError
from lacplan.server.settings import Settings, check_settings, is_loopback, read_token_file

TOKEN = "t0k3n-" + "x" * 40


def token_file(tmp_path: Path, text: str = TOKEN + "\n", mode: int = 0o600) -> str:
    path = tmp_path / "token"
    path.write_text(text)
    path.chmod(mode)
    return str(path)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.4", False),
        ("localhost", False),
        ("128.0.0.1", False),
    ],
)
def test_loopback_means_127_0_0_0_8_or_ipv6_1(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_non_loopback_bind_needs_a_token_and_tls_or_says_it_goes_without(
    tmp_path: Path,
) -> None:
    assert check_settings(Settings()) == []
    for settings, needs in (
        (Settings(host="0.0.0.0"), "--token-file"),
        (Settings(host="0.0.0.0", token_file="t"), "--tls-cert"),
        (Settings(host="0.0.0.0", insecure_no_auth=True), "--tls-cert"),
        (Settings(host="0.0.0.0", token_file="t", tls_cert="c"), "together"),
        (Settings(host="::", tls_cert="c", tls_key="k"), "--token-file"),
        (Settings(token_file="t", insecure_no_auth=True), "not both"),
        (Settings(cors_origins=("*",)), "never \\*"),
        (Settings(cors_origins=("https://a.example/path",)), "never \\*"),
        (Settings(port=70000), "--port"),
    ):
        with pytest.raises(UsageError, match=needs):
            check_settings(settings)
    secure = Settings(host="0.0.0.0", token_file="t", tls_cert="c", tls_key="k")
    assert check_settings(secure) == []
    warned = check_settings(Settings(host="0.0.0.0", insecure_no_auth=True, insecure_no_tls=True))
    assert [w.split(":")[0] for w in warned] == ["--insecure-no-auth", "--insecure-no-tls"]
    assert check_settings(Settings(cors_origins=("https://cases.example.org:8443",))) == []


def test_the_token_file_rules(tmp_path: Path) -> None:
    assert read_token_file(token_file(tmp_path)) == TOKEN.encode()
    for text, mode, why in (
        (TOKEN, 0o640, "readable by group or others"),
        (TOKEN, 0o604, "readable by group or others"),
        ("short\n", 0o600, "32 to"),
        ("two words " + "x" * 40, 0o600, "no spaces"),
    ):
        with pytest.raises(UsageError, match=why) as caught:
            read_token_file(token_file(tmp_path, text, mode))
        assert "x" * 20 not in str(caught.value)  # the token is never printed
    with pytest.raises(UsageError, match="cannot open"):
        read_token_file(str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="not a regular file"):
        read_token_file(str(tmp_path))
