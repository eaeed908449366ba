"""Bench-only settings for `bench/audit.py`, never used by the product: the product's
settings with two changes.

- With `CAUCUS_BENCH_AUDIT_BASELINE=1` (the baseline servers), every audit append also
  waits for the practice chain's head row: one lock for all cases, as every append waited
  for the single head row before the chain was split per case.
- No persistent database connections, in both: under ASGI each request's thread keeps a
  connection of its own, and eight servers under load outgrow the shared PostgreSQL
  server's connection limit.
"""

import os

from caucus.settings import *  # noqa: F403
from caucus.settings import DATABASES

CAUCUS_BENCH_AUDIT_ONE_LOCK = os.environ.get("CAUCUS_BENCH_AUDIT_BASELINE") == "1"
DATABASES["default"]["CONN_MAX_AGE"] = 0
