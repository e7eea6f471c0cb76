"""Factories of the infogov app. Cases made here carry a due date computed by the engine."""

from datetime import date, datetime, time

import factory

from hackperf.windows import LONDON
from infogov import selectors
from infogov.choices import Channel, Kind, Stage, Status
from infogov.models import Case, ClockEvent, Directorate, Escalation, Requester, Service
from infogov.services.cases import case_apply_deadline, case_deadline, case_log


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Directorate {n}")
    director_name = factory.Faker("name", locale="en_GB")
    director_email = factory.Sequence(lambda n: f"director{n}@hackney.example")
    group_director_email = factory.Sequence(lambda n: f"group{n}@hackney.example")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    lead_name = factory.Faker("name", locale="en_GB")
    lead_email = factory.Sequence(lambda n: f"lead{n}@hackney.example")


class CaseFactory(factory.django.DjangoModelFactory):
    """A request with its requester; ``due`` and its working come from the engine."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"FOI-T-{n:05d}")
    kind = Kind.FOI
    stage = Stage.REQUEST
    received = date(2026, 3, 2)
    channel = Channel.EMAIL
    subject = factory.Sequence(lambda n: f"Subject {n}")
    service = factory.SubFactory(ServiceFactory)
    directorate = factory.LazyAttribute(lambda case: case.service.directorate)
    status = Status.RECEIVED
    due = date(2026, 3, 2)
    regime = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        case = model_class(*args, **kwargs)
        if not case.regime:
            deadline = case_deadline(case=case, events=(), calendar=selectors.holiday_calendar())
            case_apply_deadline(case, deadline)
        case.save()
        return case

    requester = factory.RelatedFactory(
        "tests.infogov.factories.RequesterFactory", factory_related_name="case"
    )


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requester

    case = factory.SubFactory(CaseFactory, requester=None)
    name = factory.Sequence(lambda n: f"Zebedee Requester{n}")
    email = factory.Sequence(lambda n: f"requester{n}@example.org")
    address = "1 Mare Street, London E8"
    phone = "020 7000 0000"


class ClockEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClockEvent

    case = factory.SubFactory(CaseFactory)
    kind = "clarification_requested"
    date = factory.LazyAttribute(lambda e: e.case.received)


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    case = factory.SubFactory(CaseFactory)
    level = "t_minus_5"
    escalated_at = factory.Faker("date_time", tzinfo=__import__("datetime").UTC)


def log_case(reference: str, kind: str, received: date, service: Service, *, today: date, **extra):
    """A case logged through the service (its history and due date as in production), by
    e-mail, at noon in London on the day it was received."""
    return case_log(
        reference=reference,
        kind=kind,
        received=received,
        channel="email",
        subject="Subject",
        directorate=service.directorate,
        service=service,
        requester_name="Zebedee Quill",
        today=today,
        now=datetime.combine(received, time(12), tzinfo=LONDON),
        **extra,
    )
