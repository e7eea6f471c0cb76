"""What of a case's personal data a person may see: the one home of the redaction rule.

DESIGN.md, Personal data: the requester's identity, a SAR's subject line and the free text
on a case (the request as received, clock-event and correspondence notes) are personal data,
seen by IG officers alone (``Perm.VIEW_REQUESTER_DATA``) on every surface: pages, partials,
search, exports, API, admin and e-mails. Everyone else sees a SAR as "Subject access request"
with its reference, and no request text or notes (UK GDPR Art 5(1)(c) and (f): data
minimisation, need to know).

Pages, tables, the admin, the indicator drill-downs and the escalation e-mails all call
these functions; none decides for itself. Functions take ``personal`` (a bool from
:func:`sees_personal_data`) rather than a user where the caller has no user (an e-mail).
"""

from django.db.models import Exists, OuterRef, Q

from hackperf.roles import Perm, perm_name
from infogov.choices import Kind

SAR_SUBJECT = "Subject access request"
NOTE_WITHHELD = ""


def sees_personal_data(user) -> bool:
    """IG officers (and superusers): requesters, SAR subjects and case notes."""
    return bool(
        user and user.is_authenticated and user.has_perm(perm_name(Perm.VIEW_REQUESTER_DATA))
    )


def subject(case, *, personal: bool) -> str:
    """The subject line to show: a SAR's own only to IG officers (it often names the person)."""
    if personal or case.kind != Kind.SAR:
        return case.subject
    return SAR_SUBJECT


def exemptions(case, *, personal: bool) -> str:
    """The exemptions cited: free text, which on a SAR may name the requester or a third
    party (DPA 2018 Sch 2 para 16), so a SAR's go to IG officers only."""
    if personal or case.kind != Kind.SAR:
        return case.exemptions
    return ""


def request_text(case, *, personal: bool) -> str:
    """The request as received: it names people and their circumstances on any kind of
    request (an FOI about "the noise from my neighbour at No. 4"), so IG officers only."""
    return case.request_text if personal else NOTE_WITHHELD


def notes(case, *, personal: bool) -> list:
    """A case's correspondence notes (who, when, what): IG officers only, else none.

    Others are not told how many there are either: the count of notes on a SAR says
    something about the person too.
    """
    return list(case.notes.all()) if personal else []


def note(text: str, *, personal: bool) -> str:
    """A clock event's (or any case's) free-text note: IG officers only, on every kind."""
    return text if personal else NOTE_WITHHELD


def search(value: str, *, personal: bool) -> Q:
    """What ``?q=`` matches: the reference for everyone; for IG officers also the subject,
    the request's text, clock-event notes and correspondence notes.

    Searching a hidden field would reveal it one guess at a time, so others search the
    reference alone.
    """
    condition = Q(reference__icontains=value)
    if personal:
        from infogov.models import CaseNote, ClockEvent

        noted = ClockEvent.objects.filter(case=OuterRef("pk"), note__icontains=value)
        corresponded = CaseNote.objects.filter(case=OuterRef("pk"), text__icontains=value)
        condition |= (
            Q(subject__icontains=value)
            | Q(request_text__icontains=value)
            | Exists(noted)
            | Exists(corresponded)
        )
    return condition
