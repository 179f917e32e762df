"""What one reader may see of the minutes: pure functions, no database.

A section is withheld from a reader, and replaced by a notice saying why (never by its
text), when

* it holds information from a third party whose consent is not "given", and the reader is
  a family member (parent, carer, young person, or their advocate); or
* it is restricted from that reader, e.g. the part of a conference they were asked to
  leave.

Withheld text never reaches the page or the PDF: callers build the reader's copy from
``redact``'s output only.
"""

from __future__ import annotations

from dataclasses import dataclass

from minutes.enums import WithheldReason


@dataclass(frozen=True)
class SectionContent:
    id: int
    heading: str
    plain_heading: str
    text: str
    third_party_consent: str | None  # None: not third-party information
    restricted_from: frozenset[int]  # invitation ids


@dataclass(frozen=True)
class Reader:
    invitation_id: int | None  # None: staff who are not invited
    is_family: bool  # parent, carer, young person, or their advocate


@dataclass(frozen=True)
class ReadableSection:
    id: int
    heading: str
    plain_heading: str
    text: str  # empty when withheld
    withheld: WithheldReason | None

    @property
    def notice(self) -> str:
        return self.withheld.label if self.withheld else ""


def withheld_because(section: SectionContent, reader: Reader) -> WithheldReason | None:
    if reader.invitation_id is not None and reader.invitation_id in section.restricted_from:
        return WithheldReason.EXCLUDED
    if reader.is_family and section.third_party_consent is not None and section.third_party_consent != "given":
        return WithheldReason.THIRD_PARTY
    return None


def redact(sections: list[SectionContent], reader: Reader) -> list[ReadableSection]:
    readable = []
    for section in sections:
        reason = withheld_because(section, reader)
        readable.append(
            ReadableSection(
                id=section.id,
                heading=section.heading,
                plain_heading=section.plain_heading,
                text="" if reason else section.text,
                withheld=reason,
            )
        )
    return readable


def profile_key(sections: list[SectionContent], reader: Reader) -> tuple:
    """Readers who see the same sections share one render (used when distributing)."""
    return tuple(withheld_because(section, reader) for section in sections)
