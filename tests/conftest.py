"""Shared test setup: makes tests/helpers.py importable and keeps hypothesis runs short."""

import os
import sys

from hypothesis import settings

# tests/ has no __init__.py (rootdir-style imports); put it on the path once for `helpers`.
sys.path.insert(0, os.path.dirname(__file__))

# Property tests stay quick on a small shared CI machine; no deadline because timings there
# are noisy.
settings.register_profile("ember", max_examples=60, deadline=None)
settings.load_profile("ember")
