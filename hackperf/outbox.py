"""The outbox: every e-mail the site sends is a row here first (DESIGN.md, "Jobs").

Enqueue in the transaction that writes the record causing the e-mail (``enqueue``): the
record and its message commit together, or neither does, and the message's natural key
(``dedupe_key``) makes enqueueing twice enqueue once. A sender (``outbox_send``, run by the
Celery task ``hackperf.tasks.send_outbox`` every minute and on the commit of each enqueue)
then works through the queued rows one at a time, like healthchecks' ``sendalerts``:

1. **claim** the row with a conditional UPDATE (``claimed_at``, a fresh ``claim_token``) that
   changes one row only if nobody holds a live claim on it; two senders never both own one.
   A claim older than ``OUTBOX_CLAIM_TIMEOUT`` seconds is a sender that died (a worker killed
   mid-batch): the next run takes it over.
2. **send** it through Django's mail backend, on one connection per run.
3. **mark it sent** (``sent_at``) immediately after the backend accepted it, before the next
   message is sent.

Delivery is therefore at least once, and exactly once except in one window: a sender killed
after the mail server accepted a message and before step 3 committed. That window is one
message wide (never a batch), and each message carries a stable ``Message-ID`` built from its
row, so a receiving server or mail client can drop the rare duplicate.

Each message fails alone. A transient error (the server refused for now, the connection
dropped) is stored on the row, counted, and retried with exponential backoff
(``OUTBOX_RETRY_BASE`` × 2^(attempts − 1), at most ``OUTBOX_RETRY_MAX`` seconds); after
``OUTBOX_MAX_ATTEMPTS`` it is failed for good. An address that is not an address (a newline
and a ``Bcc:`` smuggled into it, no ``@``) or a permanent refusal (5xx) fails the message at
once, with the reason. Failed messages stay in the table and are shown on the pages
(``undeliverable``), never hidden.

A message with no address is never sent and never "sent": it waits as ``no_recipient`` with
what is missing ("add the group director's address for Chief Executive's"). Each send run
asks the message's registered *resolver* (``register_resolver``; infogov registers its
directorate and service addresses) for the address again, so the message goes out on the
first run after someone adds it; saving the address also triggers a run.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_TIMEOUT = 600  # seconds; far above one message's send, far below a day
DEFAULT_MAX_ATTEMPTS = 8  # with the defaults below: retried over about four hours
DEFAULT_RETRY_BASE = 60  # seconds before the first retry
DEFAULT_RETRY_MAX = 3600  # seconds, the longest wait between two attempts
DEFAULT_RUN_SECONDS = 180  # a run claims no new message after this; under the task's limit

# Error texts (STYLE.md §4): tests reuse them.
ERR_BAD_ADDRESS = "not a valid e-mail address: {address!r}"
ERR_GAVE_UP = "gave up after {attempts} attempts; last error: {error}"

Resolver = Callable[..., str]
_RESOLVERS: dict[str, Resolver] = {}
OnSent = Callable[[int, datetime], None]
_ON_SENT: dict[str, OnSent] = {}


def register_resolver(name: str, resolver: Resolver) -> None:
    """Declare how to find a message's address at send time (from an app's ``ready``).

    ``resolver(**message.resolver_args)`` returns the address, or "" while there is none.
    """
    _RESOLVERS[name] = resolver


def register_on_sent(kind: str, on_sent: OnSent) -> None:
    """Declare a write to make when a message of ``kind`` is sent (from an app's ``ready``).

    ``on_sent(message_pk, sent_at)`` runs in the transaction that marks the message sent, so
    a record's own "sent at" can never disagree with its message's.
    """
    _ON_SENT[kind] = on_sent


def claim_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT))


def run_seconds() -> float:
    return float(getattr(settings, "OUTBOX_RUN_SECONDS", DEFAULT_RUN_SECONDS))


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling, capped."""
    base = getattr(settings, "OUTBOX_RETRY_BASE", DEFAULT_RETRY_BASE)
    cap = getattr(settings, "OUTBOX_RETRY_MAX", DEFAULT_RETRY_MAX)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# ---------------------------------------------------------------------------------------------
# Enqueueing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """An e-mail to enqueue. ``to`` empty with a ``resolver``: no recipient yet."""

    dedupe_key: str
    kind: str
    subject: str
    body: str
    to: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    resolver: str = ""
    resolver_args: Mapping[str, object] = field(default_factory=dict)
    no_recipient_reason: str = ""


def enqueue(mails: Iterable[Mail], *, now: datetime | None = None) -> dict[str, OutboxMessage]:
    """Add messages to the outbox, once per ``dedupe_key``; the rows by key (new or existing).

    Call it inside the transaction that writes the records the e-mails are about. A send
    run is triggered when that transaction commits (and beat runs one every minute anyway).
    """
    mails = list(mails)
    now = now or timezone.now()
    rows = [
        OutboxMessage(
            dedupe_key=mail.dedupe_key,
            kind=mail.kind,
            subject=mail.subject[:300],
            body=mail.body,
            headers=dict(mail.headers),
            to=list(mail.to),
            resolver=mail.resolver,
            resolver_args=dict(mail.resolver_args),
            no_recipient_reason=mail.no_recipient_reason,
            status=OutboxStatus.QUEUED if mail.to else OutboxStatus.NO_RECIPIENT,
            next_attempt_at=now,
            created_at=now,
        )
        for mail in mails
    ]
    if not rows:
        return {}
    # Insert-or-skip on the unique natural key, then read back: a rerun, a redelivered task
    # or a concurrent run finds the existing row instead of adding a second one.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    keys = [mail.dedupe_key for mail in mails]
    found = {m.dedupe_key: m for m in OutboxMessage.objects.filter(dedupe_key__in=keys)}
    transaction.on_commit(trigger_send)
    return found


def trigger_send() -> None:
    """Ask a worker to drain the outbox now; if the broker is down, beat's run will."""
    from hackperf.tasks import send_outbox

    try:
        send_outbox.delay()
    except Exception:  # the broker may be unreachable; the message is safe in the table
        logger.warning("could not queue send_outbox; the next scheduled run sends", exc_info=True)


def stable_key(*parts: object) -> str:
    """A natural key from its parts, short enough for ``dedupe_key`` whatever their length."""
    text = ":".join(str(part) for part in parts)
    if len(text) <= 200:
        return text
    return text[:150] + ":" + hashlib.sha256(text.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


class PermanentFailure(Exception):
    """This message can never go out as it is: fail it now, without retrying."""


def _is_connection_error(error: BaseException) -> bool:
    """An error of the connection rather than of one message: this message is retried, and
    the run stops, so a mail server that is down does not use up every message's attempts.
    (``SMTPException`` is an ``OSError`` too; only the socket-level ones count here.)"""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


@dataclass
class SendRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    resolved: int = 0
    taken_over: int = 0
    stopped_on: str = ""


def _check_addresses(addresses: Iterable[str]) -> None:
    for address in addresses:
        if not isinstance(address, str) or "\r" in address or "\n" in address:
            raise PermanentFailure(ERR_BAD_ADDRESS.format(address=address))
        try:
            validate_email(address)
        except ValidationError:
            raise PermanentFailure(ERR_BAD_ADDRESS.format(address=address)) from None


def message_id(message: OutboxMessage) -> str:
    """A Message-ID that is the same on every attempt, so a duplicate can be recognised."""
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "") or "hackperf.invalid"
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def _email(message: OutboxMessage, connection) -> EmailMessage:
    headers = {**message.headers, "Message-ID": message_id(message)}
    headers["X-Hackperf-Outbox"] = str(message.pk)
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        headers=headers,
        connection=connection,
    )


def resolve_waiting(*, now: datetime) -> int:
    """Give each ``no_recipient`` message its address if it now exists; the number resolved."""
    resolved = 0
    waiting = OutboxMessage.objects.filter(status=OutboxStatus.NO_RECIPIENT).exclude(resolver="")
    for message in waiting.only("pk", "resolver", "resolver_args"):
        resolver = _RESOLVERS.get(message.resolver)
        if resolver is None:
            continue
        try:
            address = resolver(**message.resolver_args)
        except Exception:  # a resolver's bug must not stop the outbox
            logger.exception("outbox resolver %s failed for %s", message.resolver, message.pk)
            continue
        if address:
            resolved += OutboxMessage.objects.filter(
                pk=message.pk, status=OutboxStatus.NO_RECIPIENT
            ).update(to=[address], status=OutboxStatus.QUEUED, next_attempt_at=now)
    return resolved


def _claim(pk: int, *, now: datetime, token: str) -> bool:
    """Claim one queued message: one row changes only if no live claim holds it.

    The conditional UPDATE is the lock (healthchecks' "optimistic lock"): a second sender's
    UPDATE waits for the first's to commit, then finds the claim live and changes nothing.
    No ``SELECT … FOR UPDATE``, so it runs the same on SQLite (``make run``).
    """
    stale = now - claim_timeout()
    return bool(
        OutboxMessage.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale),
            pk=pk,
            status=OutboxStatus.QUEUED,
            next_attempt_at__lte=now,
        ).update(claimed_at=now, claim_token=token)
    )


def _mark_sent(message: OutboxMessage, *, sent_at: datetime) -> None:
    # Written whoever holds the claim now: the server has the message, so it is sent.
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.SENT,
            sent_at=sent_at,
            attempts=F("attempts") + 1,
            claimed_at=None,
            claim_token="",
            last_error="",
        )
        on_sent = _ON_SENT.get(message.kind)
        if on_sent is not None:
            on_sent(message.pk, sent_at)


def _mark_failed(message: OutboxMessage, error: str, *, permanent: bool, now: datetime) -> bool:
    """Record a failed attempt; True if the message is now failed for good."""
    attempts = message.attempts + 1
    gave_up = permanent or attempts >= max_attempts()
    if gave_up and not permanent:
        error = ERR_GAVE_UP.format(attempts=attempts, error=error)
    OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.QUEUED,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now if gave_up else now + retry_delay(attempts),
        claimed_at=None,
        claim_token="",
    )
    return gave_up


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reason)}"
            for address, (code, reason) in error.recipients.items()
        )
        return f"the mail server refused the recipients ({refused})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server answered {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _is_permanent(error: BaseException) -> bool:
    if isinstance(error, PermanentFailure | ValueError | UnicodeError):
        return True  # BadHeaderError is a ValueError: a header that cannot be sent as it is
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def outbox_send(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    kinds: Iterable[str] | None = None,
) -> SendRun:
    """Send the queued messages whose turn has come, one claim at a time (module docstring).

    Args:
        now: the instant the run starts at: it decides whose turn has come and which claims
            are stale; the times written are ``now`` plus the time the run has taken.
        limit: at most this many messages this run (None: all that are due).
        kinds: only messages of these kinds (a service sending its own e-mails at once).
    """
    started = time.monotonic()
    now = now or timezone.now()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    run = SendRun(resolved=resolve_waiting(now=now))
    stale = now - claim_timeout()
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("next_attempt_at", "pk")
    )
    if kinds is not None:
        due = due.filter(kind__in=list(kinds))
    pairs = due.values_list("pk", "claimed_at")
    rows = list(pairs[:limit] if limit else pairs)
    with get_connection() as connection:
        for pk, claimed_at in rows:
            if time.monotonic() - started > run_seconds():
                run.stopped_on = "out of time for this run; the next run goes on"
                break
            token = secrets.token_hex(16)
            # The claim's time is the real instant of claiming, not the run's start: a claim
            # made late in a long run is not stale any sooner.
            if not _claim(pk, now=clock(), token=token):
                continue  # another sender holds it, or it was sent meanwhile
            if claimed_at is not None:
                run.taken_over += 1
                logger.warning("outbox message %s: took over a claim from %s", pk, claimed_at)
            message = OutboxMessage.objects.get(pk=pk)
            try:
                _check_addresses(message.to)
                if not message.to:
                    raise PermanentFailure("no recipient")
                _email(message, connection).send()
            except SoftTimeLimitExceeded:
                # Out of time mid-send: let the next run have it at once, then stop.
                OutboxMessage.objects.filter(pk=pk, claim_token=token).update(
                    claimed_at=None, claim_token=""
                )
                raise
            except Exception as error:  # each message fails alone, with its reason kept
                connection.close()  # a half-done SMTP dialogue: start the next one afresh
                permanent = _is_permanent(error)
                if isinstance(error, PermanentFailure):
                    description = str(error)
                else:
                    description = _describe(error)
                if _mark_failed(message, description, permanent=permanent, now=clock()):
                    run.failed += 1
                    logger.warning("outbox message %s failed for good: %s", pk, description)
                else:
                    run.retried += 1
                if not permanent and _is_connection_error(error):
                    run.stopped_on = description
                    break
                continue
            _mark_sent(message, sent_at=clock())
            run.sent += 1
    return run


# ---------------------------------------------------------------------------------------------
# Reads for the pages
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undeliverable:
    """What cannot go out now: messages waiting for an address, and failed messages."""

    no_recipient: int
    failed: int
    reasons: list[str]  # distinct "no recipient: add …" texts, then the failures' reasons

    @property
    def total(self) -> int:
        return self.no_recipient + self.failed


def undeliverable(*, kinds: Iterable[str] | None = None, reasons: int = 5) -> Undeliverable:
    """Counts of the messages that cannot go out, and the first few reasons (two queries)."""
    queryset = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.FAILED, OutboxStatus.NO_RECIPIENT]
    )
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    counts = dict(queryset.values_list("status").annotate(n=Count("pk")).order_by())
    texts = []
    for status, missing, error in (
        queryset.values_list("status", "no_recipient_reason", "last_error")
        .order_by("-status", "no_recipient_reason", "last_error")
        .distinct()[: reasons * 4]
    ):
        text = f"no recipient: {missing}" if status == OutboxStatus.NO_RECIPIENT else error
        if text and text not in texts:
            texts.append(text)
    return Undeliverable(
        no_recipient=counts.get(OutboxStatus.NO_RECIPIENT, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        reasons=texts[:reasons],
    )
