"""The FOIA and EIR exemption list, the parser of typed exemptions, and migration 0005 that
files the exemptions typed on older cases under the list."""

import importlib

import pytest

from infogov import exemptions
from infogov.models import Case
from tests.infogov.factories import CaseFactory


class ExemptionListTests:
    def test_it_lists_foia_part_ii_by_section_and_heading(self):
        refs = [e.reference for e in exemptions.FOIA_EXEMPTIONS]
        # ss.21-44 of FOIA 2000 Part II, with s.22A (2014) and without s.25, which exempts
        # nothing itself (it supplements ss.23 and 24).
        expected = ["s.21", "s.22", "s.22A", "s.23", "s.24"] + [f"s.{n}" for n in range(26, 45)]
        assert refs == expected
        labels = {e.reference: e.label for e in exemptions.FOIA_EXEMPTIONS}
        assert labels["s.40"] == "s.40 Personal information"
        assert labels["s.43"] == "s.43 Commercial interests"
        assert labels["s.21"] == "s.21 Information accessible to applicant by other means"

    def test_it_lists_the_eir_exceptions_of_regs_12_and_13(self):
        refs = [e.reference for e in exemptions.EIR_EXCEPTIONS]
        assert refs == (
            [f"reg 12(4)({x})" for x in "abcde"] + [f"reg 12(5)({x})" for x in "abcdefg"]
        ) + ["reg 13"]
        assert exemptions.BY_CODE["r12_5_e"].label == (
            "reg 12(5)(e) Confidentiality of commercial or industrial information"
        )

    def test_each_kind_offers_its_own_law(self):
        assert exemptions.for_kind("foi") == exemptions.FOIA_EXEMPTIONS
        assert exemptions.for_kind("eir") == exemptions.EIR_EXCEPTIONS
        assert exemptions.for_kind("sar") == ()
        assert len(exemptions.BY_CODE) == len(exemptions.FOIA_EXEMPTIONS) + len(
            exemptions.EIR_EXCEPTIONS
        )

    def test_labels_follow_the_lists_order_and_show_an_unknown_code_as_itself(self):
        assert exemptions.labels(["s43", "s40", "zz"]) == [
            "s.40 Personal information",
            "s.43 Commercial interests",
            "zz",
        ]


PARSED = [
    ("foi", "s.40(2), s.43(2)", ["s40", "s43"], ""),
    ("foi", "S21 and section 43(2)(b); cost limit", ["s21", "s43"], "cost limit"),
    ("foi", "s.31(1)(a)", ["s31"], ""),
    ("foi", "s 22A", ["s22A"], ""),
    ("foi", "s.12", [], "s.12"),  # the cost limit is no Part II exemption
    ("foi", "s.25", [], "s.25"),
    ("foi", "s.40(2), s.40(3A)", ["s40"], ""),  # once
    ("foi", "reg 12(5)(e)", [], "reg 12(5)(e)"),  # an EIR exception on an FOI case
    ("eir", "reg 12(5)(e), regulation 13(1)", ["r12_5_e", "r13"], ""),
    ("eir", "EIR 12(4)(b)", ["r12_4_b"], ""),
    ("eir", "s.40(2)", [], "s.40(2)"),  # EIR cite reg 13, not FOIA s.40
    ("sar", "Sch 2 para 16", [], "Sch 2 para 16"),
    ("foi", "", [], ""),
]


@pytest.mark.parametrize(("kind", "text", "codes", "leftover"), PARSED)
def test_typed_exemptions_are_parsed_by_the_law_of_the_request(kind, text, codes, leftover):
    assert exemptions.parse(text, kind) == (codes, leftover)


migration = importlib.import_module("infogov.migrations.0005_request_notes_exemption_list")


@pytest.mark.parametrize(("kind", "text", "codes", "leftover"), PARSED)
def test_the_migrations_frozen_parser_agrees_with_the_module(kind, text, codes, leftover):
    assert migration.parse(text, kind) == (codes, leftover)


@pytest.mark.django_db
def test_the_migration_files_typed_exemptions_and_keeps_the_rest():
    from django.apps import apps

    foi = CaseFactory(exemptions="s.40(2), s.12")
    eir = CaseFactory(kind="eir", exemptions="reg 12(5)(e)")
    sar = CaseFactory(kind="sar", exemptions="Sch 2 para 16")
    words = CaseFactory(exemptions="see the letter")
    migration.exemptions_to_codes(apps, None)
    got = {
        c.pk: (c.exemption_codes, c.exemptions)
        for c in Case.objects.filter(pk__in=[foi.pk, eir.pk, sar.pk, words.pk])
    }
    assert got == {
        foi.pk: (["s40"], "s.12"),
        eir.pk: (["r12_5_e"], ""),
        sar.pk: ([], "Sch 2 para 16"),
        words.pk: ([], "see the letter"),
    }
    # Backwards: the references come back as text, before what was kept as typed.
    migration.codes_to_exemptions(apps, None)
    foi.refresh_from_db()
    eir.refresh_from_db()
    assert (foi.exemptions, eir.exemptions) == ("s.40, s.12", "reg 12(5)(e)")


def test_the_lists_match_the_cabinet_offices_published_exemption_columns(real_data):
    """The Cabinet Office's FOI statistics count each FOIA exemption and EIR exception in its
    own column (S(22)..S(44), S21 apart; EIR 4(a)..5(g) and 3(a), personal data): read from
    the published file, they are exactly our two lists."""
    import csv
    import re

    path = real_data / "uk-central-government-foi-stats" / "foi-statistics-2020-published-data.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    sections = {f"s{m[1]}" for c in header if (m := re.match(r"S\((\d+A?)\) - ", c))}
    if any(c.startswith("Total Section 21 exemptions") for c in header):
        sections.add("s21")
    eir = {f"r12_{m[1]}_{m[2]}" for c in header if (m := re.match(r"([45])\(([a-g])\) - ", c))}
    if any(c.startswith("3(a) - Exempt personal data") for c in header):
        eir.add("r13")  # reg 12(3): personal data is excepted as reg 13 provides
    assert sections == {e.code for e in exemptions.FOIA_EXEMPTIONS}
    assert eir == {e.code for e in exemptions.EIR_EXCEPTIONS}
