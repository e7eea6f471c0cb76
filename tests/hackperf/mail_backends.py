"""Mail backends for the outbox tests: each fails the way a real mail server can."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

# Addresses the scripted backend answers for, and how: set by the test, read by the backend.
SCRIPT: dict[str, list[Exception]] = {}


class ScriptedBackend(LocmemBackend):
    """Like locmem, but a message to an address in ``SCRIPT`` raises that address's next
    scripted error (one per attempt); once the script runs out the message is delivered."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                errors = SCRIPT.get(address)
                if errors:
                    raise errors.pop(0)
        return super().send_messages(messages)


def refused(code: int, text: str = "try later") -> smtplib.SMTPDataError:
    return smtplib.SMTPDataError(code, text.encode())


class SlowBackend(LocmemBackend):
    """Like locmem, taking a little while over each message (a busy relay)."""

    def send_messages(self, messages):
        import time

        time.sleep(0.01)
        return super().send_messages(messages)
