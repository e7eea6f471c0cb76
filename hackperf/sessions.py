"""The session engine (``settings.SESSION_ENGINE``): Django's database sessions, read by SQL.

Why: every request reads its session, and building ``Session.objects.get(...)`` through the
ORM cost more than running it (issue 15's load test). The same query, the same row, the
same refusal of an expired or unknown key (the key is forgotten and the session starts
empty); writing, creating and deleting sessions are Django's own code.
``tests/hackperf/test_sessions.py`` checks it against Django's.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if key is None:  # no cookie: as Django does it
            return super()._get_session_from_db()  # type: ignore[misc]  # private, unstubbed
        model = self.model
        using = router.db_for_read(model)
        ops = connections[using].ops
        table = ops.quote_name(model._meta.db_table)
        # The instant as the backend stores it (SQLite: naive UTC text), as the ORM passes it.
        now = ops.adapt_datetimefield_value(timezone.now())
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
