"""The redaction rule (infogov.privacy): what of a case's personal data each role sees."""

import pytest

from hackperf.roles import Role
from infogov import privacy
from infogov.choices import Kind
from infogov.models import Case, ClockEvent
from tests.infogov.factories import CaseFactory


@pytest.mark.django_db
class PrivacyTests:
    def test_only_ig_officers_see_personal_data(self, make_user):
        holders = {role for role in Role if privacy.sees_personal_data(make_user(role))}
        assert holders == {Role.IG_OFFICER}

    def test_a_sar_shows_as_subject_access_request_but_to_ig_officers(self):
        sar = CaseFactory.build(kind=Kind.SAR, subject="SAR – Zebedee Quill")
        foi = CaseFactory.build(kind=Kind.FOI, subject="Potholes")
        assert privacy.subject(sar, personal=False) == "Subject access request"
        assert privacy.subject(sar, personal=True) == "SAR – Zebedee Quill"
        assert privacy.subject(foi, personal=False) == "Potholes"

    def test_notes_and_a_sars_exemptions_are_withheld_from_others(self):
        sar = CaseFactory.build(kind=Kind.SAR, exemptions="Sch 2 para 16: Zebedee's sister")
        foi = CaseFactory.build(kind=Kind.FOI, exemptions="s.40(2)")
        assert privacy.note("Spoke to Zebedee", personal=False) == ""
        assert privacy.note("Spoke to Zebedee", personal=True) == "Spoke to Zebedee"
        assert privacy.exemptions(sar, personal=False) == ""
        assert privacy.exemptions(sar, personal=True) == sar.exemptions
        assert privacy.exemptions(foi, personal=False) == "s.40(2)"

    def test_others_search_the_reference_only(self):
        sar = CaseFactory(reference="SAR-9", kind=Kind.SAR, subject="SAR – Zebedee Quill")
        ClockEvent.objects.create(
            case=sar, kind="clarification_requested", date=sar.received, note="Called Mrs Quill"
        )

        def found(value, personal):
            return list(Case.objects.filter(privacy.search(value, personal=personal)))

        assert found("SAR-9", personal=False) == [sar]
        assert found("Zebedee", personal=False) == []
        assert found("Mrs Quill", personal=False) == []
        assert found("Zebedee", personal=True) == [sar]
        assert found("Mrs Quill", personal=True) == [sar]
