"""Scaling out: the per-partition function and the Dask recipe (docs/dask.md)."""
