"""Helpers for testing code built on lacplan.

:mod:`lacplan.testing.strategies` holds `Hypothesis <https://hypothesis.readthedocs.io>`_
strategies that generate valid cases and events; it needs ``hypothesis`` (the ``test`` extra),
so it is not imported here.
"""
