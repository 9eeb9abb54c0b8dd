"""lacplan's version, read by the build backend and recorded in every report."""

__version__ = "0.1.0"
