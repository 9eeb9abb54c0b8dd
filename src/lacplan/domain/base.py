"""The base classes of lacplan's pydantic models: validators built on first use, and the
trusted construction of lacplan's own built-in declarations.

* ``_Deferred``: every lacplan model builds its pydantic validator and serializer the first time
  it validates or dumps (``defer_build``), so a process pays only for the models it uses; its
  signature (``inspect.signature``, ``help``) is still that of a built model.
* ``_Trusted``: a ``_Deferred`` model that, inside :func:`trusted_construction`, stores the
  values it is given as they are instead of validating them: the rule declarations of the
  built-in packs, their offsets and the default conventions, which
  ``tests/rules/test_builtin_declarations.py`` validates through the full pydantic path and
  compares equal. Everywhere else (rule files, overlays, ``model_validate``, keyword
  construction outside that block) they are validated as any model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from inspect import Signature

__all__ = ["trusted_construction"]


class _SignatureOnFirstUse:
    """``cls.__signature__`` of a model whose validators are built on first use: pydantic sets a
    model's signature when it builds it, so reading the signature builds the model and returns
    pydantic's own, as if the model had been built at import (``inspect.signature``, ``help``
    and editors show the fields). Set on each such class itself, so that a base class built
    first cannot lend its signature to subclasses that are not built yet."""

    def __get__(self, instance: object, owner: type[BaseModel]) -> Signature:
        if instance is not None:
            raise AttributeError(f"'__signature__' attribute of {owner.__name__!r} is class-only")
        built = owner.model_rebuild(raise_errors=False) is not False
        if built and not isinstance(owner.__dict__.get("__signature__", self), type(self)):
            signature: Signature = owner.__signature__
            return signature
        import inspect  # pragma: no cover - every lacplan model builds

        init = inspect.signature(owner.__init__)  # pragma: no cover
        return init.replace(parameters=list(init.parameters.values())[1:])  # pragma: no cover


_SIGNATURE_ON_FIRST_USE: Final = _SignatureOnFirstUse()


class _Deferred(BaseModel):
    """Base of lacplan's models: each builds its pydantic validator and serializer the first
    time it validates or dumps (``defer_build``), so a process pays only for the models it uses
    (validating a ``Case`` builds its periods, placements and events as part of it)."""

    model_config = ConfigDict(defer_build=True)

    if not TYPE_CHECKING:
        __signature__ = _SIGNATURE_ON_FIRST_USE

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if not cls.__pydantic_complete__:
            type.__setattr__(cls, "__signature__", _SIGNATURE_ON_FIRST_USE)


_TRUSTED: ContextVar[bool] = ContextVar("lacplan_trusted_declarations", default=False)

_REQUIRED, _DEFAULT, _FACTORY = range(3)
#: Per class: ``(field, how, default or factory)`` in field order, or None when the class is
#: always validated (aliases, private attributes, a post-init hook: none of lacplan's today).
_PLANS: dict[type[BaseModel], tuple[tuple[str, int, Any], ...] | None] = {}


@contextmanager
def trusted_construction() -> Iterator[None]:
    """Inside this block (in this thread or task only), constructing a ``_Trusted`` model (a
    rule declaration such as ``Rule(...)`` or ``DateExpr(...)``, an offset, conventions) stores
    the given values and the defaults as they are, without validation: for lacplan's own
    built-in declarations, which ``tests/rules/test_builtin_declarations.py`` validates through
    the full pydantic path and compares equal. Everything else (rule files, overlays,
    ``Rule.model_validate``, and ``Rule(...)`` outside this block) is validated as always."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def _plan(cls: type[BaseModel]) -> tuple[tuple[str, int, Any], ...] | None:
    if cls.__private_attributes__ or cls.__pydantic_post_init__:
        return None
    plan: list[tuple[str, int, Any]] = []
    for name, info in cls.__pydantic_fields__.items():
        if info.alias is not None or info.validation_alias is not None:
            return None
        if info.default_factory is not None:
            if info.default_factory_takes_validated_data:
                return None
            plan.append((name, _FACTORY, info.default_factory))
        elif info.is_required():
            plan.append((name, _REQUIRED, None))
        else:
            plan.append((name, _DEFAULT, info.default))
    return tuple(plan)


def _trusted_values(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any] | None:
    """The instance ``__dict__`` of ``cls(**data)`` without validation (fields in order, defaults
    filled in), or None when ``cls`` is to be validated anyway. A missing or unknown field is
    still a ``TypeError``: a slip in a built-in declaration should fail loudly, not be stored."""
    try:
        plan = _PLANS[cls]
    except KeyError:
        plan = _PLANS[cls] = _plan(cls)
    if plan is None:
        return None
    values: dict[str, Any] = {}
    given = 0
    for name, how, default in plan:
        if name in data:
            values[name] = data[name]
            given += 1
        elif how == _DEFAULT:
            values[name] = default
        elif how == _FACTORY:
            values[name] = default()
        else:
            raise TypeError(f"{cls.__name__}: missing field {name!r}")
    if given != len(data):
        unknown = ", ".join(repr(k) for k in data if k not in values)
        raise TypeError(f"{cls.__name__}: unknown field(s) {unknown}")
    return values


class _Trusted(_Deferred):
    """Base of the models lacplan declares its built-in packs and defaults with: validated as
    any model, except inside :func:`trusted_construction`; validators built on first use."""

    if not TYPE_CHECKING:  # type checkers keep the field-typed ``__init__`` pydantic declares

        def __init__(self, /, **data: Any) -> None:
            values = _trusted_values(type(self), data) if _TRUSTED.get() else None
            if values is None:
                self.__pydantic_validator__.validate_python(data, self_instance=self)
                return
            object.__setattr__(self, "__dict__", values)
            object.__setattr__(self, "__pydantic_fields_set__", set(data))
            object.__setattr__(self, "__pydantic_extra__", None)
            object.__setattr__(self, "__pydantic_private__", None)

        # pydantic-core builds nested declarations itself rather than calling this (as it does
        # for ``BaseModel.__init__``), so validation stays one pass over the whole rule.
        __init__.__pydantic_base_init__ = True
