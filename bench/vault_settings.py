"""Bench-only settings for `bench/vault.py`: the product's settings plus two routes that move
the same bytes through the same server without encryption (the baseline of part b). Never
used by the product."""

from caucus.settings import *  # noqa: F403
from caucus.settings import CAUCUS_STREAMED_UPLOAD_PATHS

ROOT_URLCONF = "bench.vault_urls"
CAUCUS_STREAMED_UPLOAD_PATHS = [*CAUCUS_STREAMED_UPLOAD_PATHS, r"^/bench/raw$"]
