"""The people of ``make load``: signed in, asking for the pages they use all day, no pause.

Started by ``scripts/load_test.py``, which serves the site as the Dockerfile does, signs in
once through the sign-in form and hands the session here (``LOAD_COOKIE``) with the pages to
ask for (``LOAD_PATHS``, JSON). Every answer but a 200 counts as an error: a redirect here
would be a lost session, so redirects are not followed.
"""

import json
import os
import random

from locust import FastHttpUser, constant, task

PATHS = json.loads(os.environ.get("LOAD_PATHS", "{}"))
COOKIE = os.environ.get("LOAD_COOKIE", "")


class Person(FastHttpUser):
    wait_time = constant(0)

    def ask(self, path: str, name: str, **headers: str) -> None:
        with self.client.get(
            path,
            name=name,
            headers={"Cookie": COOKIE, **headers},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(3)
    def home(self) -> None:
        self.ask("/", "home")

    @task(2)
    def queue_overview(self) -> None:
        self.ask("/queues/", "queue overview")

    @task(3)
    def queue_page(self) -> None:
        self.ask(random.choice(PATHS["queues"]), "queue page")

    @task(2)
    def queue_refresh(self) -> None:
        self.ask(
            random.choice(PATHS["queues"]), "queue page, htmx refresh", **{"HX-Request": "true"}
        )

    @task(3)
    def ticket_page(self) -> None:
        self.ask(random.choice(PATHS["tickets"]), "ticket page")

    @task(1)
    def stylesheet(self) -> None:
        self.ask(PATHS["static"], "static file (whitenoise)")
