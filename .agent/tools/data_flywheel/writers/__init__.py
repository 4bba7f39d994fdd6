"""Training formats: one module per format, each with ``NAME``, ``FILENAME``, ``SCHEMA_KIND`` and ``rows(run)``.

``rows`` takes a ``records.run.Run`` (redacted, normalised, trainable) and
yields the rows that run contributes. The export opens one file per format
and lists it in ``manifest.json`` with its ``format`` name.
"""
from __future__ import annotations

from . import alpaca

TRAINING_FORMATS = (alpaca,)
