"""The case model's parts, one concept a module (the public names live in :mod:`lacplan.model`).

* ``base.py``: the base classes of lacplan's models (validators built on first use; trusted
  construction of the built-in rule declarations);
* ``fields.py``: strict ISO dates, ids, value-free message helpers;
* ``events.py``: one class per event type and the ``Event`` union;
* ``case.py``: ``Placement``, ``Period``, ``Case`` and the relational checks of their validators;
* ``assign.py``: which period and placement each event belongs to;
* ``findings.py``: valid but suspicious data (warnings);
* ``validation.py``: rejected records (stable codes, field paths), ``parse_case``, JSON Schema.

Imports point one way: base -> fields -> events -> case -> assign -> findings -> validation.
"""
