"""Fixtures the case tests share with the meeting tests."""

from tests.meetings.closeout_steps import fast_passwords  # noqa: F401  (fixture)
