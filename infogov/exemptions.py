"""The exemptions an FOI or EIR refusal may cite: a fixed list, chosen, never typed.

An officer ticks the exemptions from the list of the request's law (FOIA 2000 Part II for an
FOI request, EIR 2004 regs 12 and 13 for an EIR one), so the IG Group report and the ICO can
count them, and a typo ("s.34" for "s.43") cannot pass for a different exemption. Each is
stored by its code and shown as its reference and statutory heading ("s.43 Commercial
interests").

Text typed before the list existed (case imports, older cases) is read by :func:`parse`:
what it recognises becomes codes, the rest is kept as typed, so nothing recorded is dropped.

Pure (no Django): the list and the parser are checked by ``mypy --strict``.
"""

import re
from dataclasses import dataclass

FOIA = "foia"
EIR = "eir"


@dataclass(frozen=True)
class Exemption:
    code: str  # stored on the case
    law: str  # FOIA or EIR
    reference: str  # "s.43", "reg 12(5)(e)"
    name: str  # the statutory heading

    @property
    def label(self) -> str:
        return f"{self.reference} {self.name}"


def _foia(section: str, name: str) -> Exemption:
    return Exemption(f"s{section}", FOIA, f"s.{section}", name)


def _eir(paragraph: str, name: str) -> Exemption:
    # "12(5)(e)" -> code "r12_5_e"
    code = "r" + re.sub(r"\W+", "_", paragraph).strip("_")
    return Exemption(code, EIR, f"reg {paragraph}", name)


# FOIA 2000 Part II, ss.21-44, by their headings (s.25 is supplementary to ss.23 and 24 and
# exempts nothing itself; s.22A was inserted by the Intellectual Property Act 2014).
FOIA_EXEMPTIONS: tuple[Exemption, ...] = (
    _foia("21", "Information accessible to applicant by other means"),
    _foia("22", "Information intended for future publication"),
    _foia("22A", "Research"),
    _foia("23", "Information supplied by, or relating to, bodies dealing with security matters"),
    _foia("24", "National security"),
    _foia("26", "Defence"),
    _foia("27", "International relations"),
    _foia("28", "Relations within the United Kingdom"),
    _foia("29", "The economy"),
    _foia("30", "Investigations and proceedings conducted by public authorities"),
    _foia("31", "Law enforcement"),
    _foia("32", "Court records, etc."),
    _foia("33", "Audit functions"),
    _foia("34", "Parliamentary privilege"),
    _foia("35", "Formulation of government policy, etc."),
    _foia("36", "Prejudice to effective conduct of public affairs"),
    _foia("37", "Communications with Her Majesty, etc. and honours"),
    _foia("38", "Health and safety"),
    _foia("39", "Environmental information"),
    _foia("40", "Personal information"),
    _foia("41", "Information provided in confidence"),
    _foia("42", "Legal professional privilege"),
    _foia("43", "Commercial interests"),
    _foia("44", "Prohibitions on disclosure"),
)

# EIR 2004 reg 12(4) (the request), reg 12(5) (adverse effect of disclosure) and reg 13.
EIR_EXCEPTIONS: tuple[Exemption, ...] = (
    _eir("12(4)(a)", "Information not held"),
    _eir("12(4)(b)", "Manifestly unreasonable request"),
    _eir("12(4)(c)", "Request formulated in too general a manner"),
    _eir(
        "12(4)(d)", "Material in the course of completion, unfinished documents or incomplete data"
    ),
    _eir("12(4)(e)", "Internal communications"),
    _eir("12(5)(a)", "International relations, defence, national security or public safety"),
    _eir("12(5)(b)", "The course of justice, fair trial or inquiries"),
    _eir("12(5)(c)", "Intellectual property rights"),
    _eir("12(5)(d)", "Confidentiality of proceedings"),
    _eir("12(5)(e)", "Confidentiality of commercial or industrial information"),
    _eir("12(5)(f)", "Interests of the person who provided the information"),
    _eir("12(5)(g)", "Protection of the environment"),
    _eir("13", "Personal data"),
)

BY_CODE: dict[str, Exemption] = {e.code: e for e in (*FOIA_EXEMPTIONS, *EIR_EXCEPTIONS)}
BY_KIND: dict[str, tuple[Exemption, ...]] = {"foi": FOIA_EXEMPTIONS, "eir": EIR_EXCEPTIONS}


def for_kind(kind: str) -> tuple[Exemption, ...]:
    """The list a request of ``kind`` (``foi``, ``eir``) chooses from; none for a SAR."""
    return BY_KIND.get(kind, ())


def choices_for(kind: str) -> list[tuple[str, str]]:
    return [(e.code, e.label) for e in for_kind(kind)]


def labels(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The labels of ``codes`` in the list's order; an unknown code is shown as itself."""
    order = {code: i for i, code in enumerate(BY_CODE)}
    ordered = sorted(codes, key=lambda code: (order.get(code, len(order)), code))
    return [BY_CODE[code].label if code in BY_CODE else code for code in ordered]


# One cited exemption in typed text: "s.40(2)", "S40", "section 43(2)(b)", "s 22A";
# "reg 12(5)(e)", "regulation 13(1)", "r.12(4)(b)", "EIR 12(4)(a)".
_SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\band\b)\s*", re.IGNORECASE)
_FOIA_PATTERN = re.compile(
    r"(?:foia\s*)?(?:s|sec|section)\.?\s*(\d{2}A?)(?:\s*\(\w{1,4}\))*\.?", re.IGNORECASE
)
_EIR_PATTERN = re.compile(
    r"(?:eir\s*)?(?:r|reg|regulation)?\.?\s*(12)\s*\((4|5)\)\s*\(([a-g])\)(?:\s*\(\w{1,4}\))*\.?"
    r"|(?:eir\s*)?(?:r|reg|regulation)\.?\s*(13)(?:\s*\(\w{1,4}\))*\.?",
    re.IGNORECASE,
)


def _code_of(token: str, kind: str) -> str | None:
    if kind == "foi":
        match = _FOIA_PATTERN.fullmatch(token)
        if match:
            code = "s" + match.group(1).upper()
            return code if code in BY_CODE else None
    elif kind == "eir":
        match = _EIR_PATTERN.fullmatch(token)
        if match:
            if match.group(4):
                return "r13"
            return f"r12_{match.group(2)}_{match.group(3).lower()}"
    return None


def parse(text: str, kind: str) -> tuple[list[str], str]:
    """Codes recognised in typed ``text`` for a request of ``kind``, and what was not.

    Only the law of the request is recognised: an FOI case's "s.40(2)" is s.40, an EIR
    case's "s.40(2)" is kept as typed (EIR cite reg 13), as is "s.12" (the cost limit is
    not a Part II exemption) and any words. The leftover keeps its pieces' order and text.
    """
    codes: list[str] = []
    leftover: list[str] = []
    for token in _SEPARATORS.split(text.strip()):
        token = token.strip()
        if not token:
            continue
        code = _code_of(token, kind)
        if code is None:
            leftover.append(token)
        elif code not in codes:
            codes.append(code)
    return codes, ", ".join(leftover)
