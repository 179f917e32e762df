"""Redaction is pure: what a reader may see of each section."""

from minutes.enums import WithheldReason
from minutes.redaction import Reader, SectionContent, profile_key, redact

SECRET = "The neighbour saw the father on Tuesday"


def section(consent=None, restricted=()):
    return SectionContent(1, "Worries", "What people are worried about", SECRET, consent, frozenset(restricted))


PARENT = Reader(invitation_id=7, is_family=True)
PROFESSIONAL = Reader(invitation_id=8, is_family=False)


def test_third_party_text_without_consent_is_withheld_from_the_family_only():
    for consent in ("refused", "not_asked"):
        [for_parent] = redact([section(consent)], PARENT)
        assert (for_parent.text, for_parent.withheld) == ("", WithheldReason.THIRD_PARTY)
        assert for_parent.notice == "Information from a third party has been withheld"
        [for_professional] = redact([section(consent)], PROFESSIONAL)
        assert (for_professional.text, for_professional.withheld) == (SECRET, None)


def test_third_party_text_with_consent_is_shown_to_the_family():
    [for_parent] = redact([section("given")], PARENT)
    assert for_parent.text == SECRET


def test_a_part_restricted_from_a_reader_is_withheld_from_them_whoever_they_are():
    for reader in (PARENT, PROFESSIONAL):
        [seen] = redact([section(restricted={reader.invitation_id})], reader)
        assert (seen.text, seen.notice) == ("", "This part of the meeting took place without you")
    [other] = redact([section(restricted={99})], PARENT)
    assert other.text == SECRET


def test_readers_who_see_the_same_share_a_profile():
    sections = [section("refused"), section(restricted={7})]
    assert profile_key(sections, PARENT) != profile_key(sections, PROFESSIONAL)
    assert profile_key(sections, Reader(invitation_id=9, is_family=True)) == (WithheldReason.THIRD_PARTY, None)
