"""Signals one app sends for others to act on, keeping dependencies one way.

``hackperf`` cannot import ``infogov`` (DESIGN.md: apps depend on hackperf, not the reverse),
yet a changed bank-holiday set must move open cases' due dates. So the sync sends this, after
its transaction commits, and infogov listens.
"""

from django.dispatch import Signal

# Sent with ``changed_dates: list[date]`` (holidays added, removed or moved) and ``reason``.
bank_holidays_changed = Signal()
