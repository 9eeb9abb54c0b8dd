"""Privacy for outputs: pseudonymised child ids and withheld dates derived from the date of birth.

A :class:`Privacy` is what ``--pseudonymise KEYFILE`` and ``--redact`` ask for; the evaluation
applies it to each child's result where the case is still at hand (``privacy=`` of
:func:`lacplan.evaluate.iter_evaluate`, :func:`lacplan.evaluate`,
:func:`lacplan.parallel.evaluate_serialised`), so every output format, the rejected records and
standard error see only what it leaves.

* **Pseudonymise**: each child id becomes :func:`pseudonym`, the first :data:`PSEUDONYM_LENGTH`
  lower-case hex digits of HMAC-SHA256(key file bytes, child id as UTF-8), in ``child_id``, at
  the start of each ``key``, in each rejected record's ``child_id`` and in every message that
  quotes the id (``case "C1", ...``: the id as JSON, as :mod:`lacplan.domain.findings` writes
  it). Labels are left as they are. The key file (:func:`read_key_file`) holds at least
  :data:`MIN_KEY_BYTES` bytes and is readable by its owner only.
* **Redact**: the dates derived from the date of birth (:func:`withheld_dates`: the date of
  birth, every birthday to the 25th, the date facts of :data:`lacplan.rules.facts.DATE_FACTS`)
  are withheld. An obligation anchored on one (its rule's anchor refers to such a fact, directly
  or through another rule's due date: :func:`dob_anchored_rules`; or its anchor is one of those
  dates) gets ``anchor`` null and the date part of its ``key`` replaced by a keyed hash
  (:func:`redacted_key`); every explanation and finding has those dates, written ``2025-07-13``
  or ``Sun 13 Jul 2025``, replaced by :data:`WITHHELD`. The hash key is the key file's bytes
  with ``--pseudonymise``, else 32 random bytes drawn for the run (:func:`secrets.token_bytes`),
  so that redacted keys then differ between runs.

``docs/privacy.md`` says what is and is not withheld. A ``Privacy`` pickles (its key bytes and
two flags) for the worker processes of ``--jobs``; its ``repr`` never shows the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from lacplan.calendar import birthday, fmt_date
from lacplan.domain.fields import _q
from lacplan.errors import UsageError
from lacplan.escape import printable
from lacplan.model import Case, Finding, Problem, RecordError
from lacplan.obligation import Obligation, ScopeFacts, facts_obligation
from lacplan.report import ChildResult
from lacplan.rules.facts import DATE_FACTS
from lacplan.rules.pack import RulePack
from lacplan.rules.terms import DateExpr

__all__ = [
    "MAX_KEY_BYTES",
    "MIN_KEY_BYTES",
    "PSEUDONYM_LENGTH",
    "REDACTED_AGES",
    "WITHHELD",
    "Privacy",
    "dob_anchored_rules",
    "keyed_hash",
    "pseudonym",
    "read_key_file",
    "redacted_key",
    "withheld_dates",
]

#: The fewest bytes a key file may hold (the length of an HMAC-SHA256 key that is as strong as
#: the hash).
MIN_KEY_BYTES: Final = 32
#: The most bytes a key file may hold (a key, not a document).
MAX_KEY_BYTES: Final = 1 << 20
#: Hex digits kept of each HMAC (80 bits).
PSEUDONYM_LENGTH: Final = 20
#: The birthdays withheld by ``--redact``: the date of birth (0) to the 25th.
REDACTED_AGES: Final = range(26)
#: What stands in an explanation or a finding for a withheld date.
WITHHELD: Final = "[date withheld]"


def keyed_hash(key: bytes, text: str) -> str:
    """The first :data:`PSEUDONYM_LENGTH` lower-case hex digits of HMAC-SHA256(``key``,
    ``text`` as UTF-8). A lone surrogate, which UTF-8 cannot hold, is encoded as its three bytes
    (Python's ``surrogatepass``), so every string has a hash."""
    data = text.encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def pseudonym(key: bytes, child_id: str) -> str:
    """A child id's pseudonym: :func:`keyed_hash` of the id under the key file's bytes.

    >>> pseudonym(b"k" * 32, "C1") == pseudonym(b"k" * 32, "C1") != pseudonym(b"k" * 32, "C2")
    True
    """
    return keyed_hash(key, child_id)


def read_key_file(path: str) -> bytes:
    """The bytes of the key file ``path``: a regular file readable by its owner only (no read
    permission for group or others: ``st_mode & 0o044 == 0``), of :data:`MIN_KEY_BYTES` to
    :data:`MAX_KEY_BYTES` bytes. Anything else is a :class:`~lacplan.errors.UsageError` naming
    the file and the rule, never what the file holds."""
    name = printable(repr(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UsageError(
            f"--pseudonymise: cannot open the key file {name}: {exc.strerror}"
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"--pseudonymise: the key file {name} is not a regular file")
        if mode & 0o044:
            raise UsageError(
                f"--pseudonymise: the key file {name} is readable by group or others (mode "
                f"{stat.S_IMODE(mode):04o}); a key file must be readable by its owner only "
                "(chmod 600 it)"
            )
        data = b""
        while len(data) <= MAX_KEY_BYTES:
            chunk = os.read(fd, MAX_KEY_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise UsageError(
            f"--pseudonymise: cannot read the key file {name}: {exc.strerror}"
        ) from None
    finally:
        os.close(fd)
    if not MIN_KEY_BYTES <= len(data) <= MAX_KEY_BYTES:
        size = "more than 1 MiB" if len(data) > MAX_KEY_BYTES else f"{len(data)} bytes"
        raise UsageError(
            f"--pseudonymise: the key file {name} holds {size}; a key file must hold "
            f"{MIN_KEY_BYTES} bytes to 1 MiB (e.g. head -c 32 /dev/urandom > FILE)"
        )
    return data


def _dob_expr(expr: DateExpr, found: set[str]) -> bool:
    """Whether a date expression gives a date derived from the date of birth: a ``fact:``
    reference (also as ``not_before``), or the due date of a rule in ``found``."""
    if expr.fact is not None or (expr.not_before or "").startswith("fact:"):
        return True
    ref = expr.rule_ref
    return ref is not None and ref[1] == "due" and ref[0] in found


def dob_anchored_rules(pack: RulePack) -> frozenset[str]:
    """The ids of the rules of ``pack`` with an anchor derived from the date of birth: an anchor
    option whose date is a ``fact:`` (``birthday_16``, ``leaving_care_eligibility``...), or the
    due date of such a rule (``pathway-plan``, anchored on the needs assessment's due date), to
    any depth. Every version and variant of a rule id counts."""
    found: set[str] = set()
    grew = True
    while grew:
        grew = False
        for rule in pack.rules:
            if rule.id not in found and any(_dob_expr(o.date, found) for o in rule.anchor):
                found.add(rule.id)
                grew = True
    return frozenset(found)


def withheld_dates(case: Case, as_of: date) -> frozenset[date]:
    """The dates ``--redact`` withholds for ``case``: its date of birth, each birthday in
    :data:`REDACTED_AGES`, and each date fact (:data:`~lacplan.rules.facts.DATE_FACTS`) as at
    ``as_of`` (a superset of what the evaluation used: a fact is the first day something holds,
    so an earlier as-of date gives it or none)."""
    dob = case.date_of_birth
    out = set()
    for age in REDACTED_AGES:
        try:
            out.add(birthday(dob, age))
        except (ValueError, OverflowError):  # beyond year 9999
            break
    for fact in DATE_FACTS.values():
        try:
            found = fact(case, as_of)
        except (ValueError, OverflowError):
            continue
        if found is not None:
            out.add(found)
    return frozenset(out)


def redacted_key(key: str, anchor: date, hash_key: bytes) -> str:
    """``key`` (``child:period:placement:rule:anchor``) with its anchor replaced by
    :func:`keyed_hash` of the whole key under ``hash_key``; a key not ending with its anchor is
    replaced whole (``<hash>``)."""
    digest = keyed_hash(hash_key, key)
    iso = anchor.isoformat()
    if key.endswith(":" + iso):
        return key[: -len(iso)] + digest
    return digest


def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The day and month names :func:`~lacplan.calendar.fmt_date` writes (``Mon``, ``Jan``)."""
    days = tuple(fmt_date(date(2024, 1, d)).split()[0] for d in range(1, 8))
    months = tuple(fmt_date(date(2024, m, 1)).split()[2] for m in range(1, 13))
    return days, months


_DAYS, _MONTHS = _names()
#: A date as the outputs write one: ISO, or ``Mon 4 Mar 2030`` (the weekday may be missing).
_DATE_TEXT: Final = re.compile(
    rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:(?:{'|'.join(_DAYS)}) )?\d{{1,2}} (?:{'|'.join(_MONTHS)}) \d{{4}}"
)


class _Scrubber:
    """Replaces the withheld dates, in ISO and :func:`~lacplan.calendar.fmt_date` form (with
    or without its weekday), in a text. A text that holds none of their days of the month
    (``-07-13``, `` 13 Jul ``: a birthday shares its day with the date of birth) is returned
    as it is, unscanned. Its forms are written when it is first used (most outputs read no
    explanation)."""

    __slots__ = ("_dates", "_forms", "_needles")

    def __init__(self, dates: frozenset[date]) -> None:
        self._dates = dates
        self._forms: frozenset[str] = frozenset()
        self._needles: tuple[str, ...] = ()

    def _replace(self, match: re.Match[str]) -> str:
        text = match.group()
        return WITHHELD if text in self._forms else text

    def _prepare(self) -> tuple[str, ...]:
        dates = self._dates
        self._forms = frozenset(
            f for d in dates for f in (d.isoformat(), fmt_date(d), fmt_date(d).split(" ", 1)[1])
        )
        needles = {f"-{d.month:02d}-{d.day:02d}" for d in dates}
        needles |= {f" {d.day} {_MONTHS[d.month - 1]} " for d in dates}
        self._needles = tuple(sorted(needles))
        return self._needles

    def __call__(self, text: str) -> str:
        for needle in self._needles or self._prepare():
            if needle in text:
                return _DATE_TEXT.sub(self._replace, text)
        return text


def _kept(_: Obligation, ob: Obligation) -> tuple[str, str]:
    """A copy's explanation recipe (called with the copy, then ``ob``, its original): the
    original's text and basis, as they are."""
    return ob.explanation, ob.basis


def _scrubbed(_: Obligation, ob: Obligation, scrub: Callable[[str], str]) -> tuple[str, str]:
    """A copy's explanation recipe (called with the copy, then ``ob``, its original): the
    original's text and basis without the withheld dates."""
    return scrub(ob.explanation), scrub(ob.basis)


@dataclass(frozen=True, slots=True)
class Privacy:
    """What the outputs withhold: child ids (``pseudonymise``), dates derived from the date of
    birth (``redact``), with ``key`` the HMAC key (the key file's bytes, or drawn for the run).

    Build one with :meth:`from_options` (the command line's flags) or directly; apply it with
    ``privacy=`` of :func:`~lacplan.evaluate.iter_evaluate`.
    """

    key: bytes = field(repr=False)
    pseudonymise: bool = False
    redact: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) < MIN_KEY_BYTES:
            raise UsageError(f"a Privacy key is bytes, at least {MIN_KEY_BYTES} of them")

    @classmethod
    def from_options(cls, key_file: str | None, redact: bool) -> Privacy | None:
        """``--pseudonymise KEYFILE`` (``key_file``) and ``--redact``; ``None`` for neither.
        ``--redact`` alone hashes with 32 bytes drawn by :func:`secrets.token_bytes`."""
        if key_file is None and not redact:
            return None
        key = read_key_file(key_file) if key_file is not None else secrets.token_bytes(32)
        return cls(key, pseudonymise=key_file is not None, redact=redact)

    def pseudonym(self, child_id: str) -> str:
        """``child_id`` as the outputs show it: its :func:`pseudonym` when pseudonymising."""
        return pseudonym(self.key, child_id) if self.pseudonymise else child_id

    def bind(self, pack: RulePack, as_of: date) -> AppliedPrivacy:
        """This privacy for one evaluation with ``pack`` as at ``as_of``."""
        rules = dob_anchored_rules(pack) if self.redact else frozenset()
        return AppliedPrivacy(self, rules, as_of)


class AppliedPrivacy:
    """A :class:`Privacy` bound to one run's pack and as-of date: applies it to each result
    (:meth:`child`) and each rejected record (:meth:`error`)."""

    __slots__ = ("as_of", "privacy", "rules")

    def __init__(self, privacy: Privacy, rules: frozenset[str], as_of: date) -> None:
        self.privacy, self.rules, self.as_of = privacy, rules, as_of

    def _message(self, text: str, child_id: str | None, alias: str) -> str:
        if child_id is None or alias == child_id:
            return text
        return text.replace(_q(child_id), _q(alias))

    def error(self, err: RecordError) -> RecordError:
        """``err`` with its child id pseudonymised, in ``child_id`` and in its messages."""
        cid = err.child_id
        if not self.privacy.pseudonymise or cid is None:
            return err
        alias = self.privacy.pseudonym(cid)
        problems = tuple(
            Problem(p.field, p.code, self._message(p.message, cid, alias)) for p in err.problems
        )
        return RecordError(err.file, err.line, alias, problems)

    def child(self, result: ChildResult, case: Case) -> ChildResult:
        """``result`` (of ``case``) as the outputs may show it."""
        privacy = self.privacy
        cid = result.child_id
        alias = privacy.pseudonym(cid)
        withheld = withheld_dates(case, self.as_of) if privacy.redact else frozenset()
        scrub = _Scrubber(withheld) if withheld else None
        obligations = tuple(
            self._obligation(o, cid, alias, withheld, scrub) for o in result.obligations
        )
        findings = tuple(
            Finding(
                f.code,
                f.field,
                (scrub or _same)(self._message(f.message, cid, alias)),
            )
            for f in result.findings
        )
        return ChildResult(alias, result.labels, obligations, findings)

    def _obligation(
        self,
        ob: Obligation,
        cid: str,
        alias: str,
        withheld: frozenset[date],
        scrub: _Scrubber | None,
    ) -> Obligation:
        privacy = self.privacy
        key, anchor = ob.key, ob.anchor
        redacted = (
            privacy.redact and anchor is not None and (ob.rule in self.rules or anchor in withheld)
        )
        if redacted:
            assert anchor is not None
            key = redacted_key(key, anchor, privacy.key)
            anchor = None
        if privacy.pseudonymise:
            prefix = cid + ":"
            if key.startswith(prefix):
                key = alias + key[len(cid) :]
            else:  # a redacted key replaced whole, or a key of another shape
                key = f"{alias}:{key if redacted else keyed_hash(privacy.key, key)}"
        recipe = (_kept, ob) if scrub is None else (_scrubbed, ob, scrub)
        scope = ob._scope
        # The rule's facts are shared with the original; the scope's carry the alias and key.
        return facts_obligation(
            ob._rule,
            ScopeFacts(alias, scope.period_id, scope.placement_id, "", key),
            ob.sequence,
            anchor,
            ob.due,
            ob.met_on,
            ob.status,
            ob.reason,
            ob.days_late,
            ob.closed_on,
            ob.branch,
            recipe,
        )


def _same(text: str) -> str:
    return text
