"""All writes of the infogov app, by feature: cases and their clock (``cases``), the admin's
corrections (``corrections``), bank-holiday changes (``holidays``), escalations
(``escalations``) and case import (``imports``).

Each service is keyword-only, validates with ``full_clean()`` and runs in one transaction.
"""
