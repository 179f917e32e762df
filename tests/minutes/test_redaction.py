"""Redaction is pure: what each reader may see of the parts, comments and attendance notes."""

from datetime import UTC, datetime

import pytest

from meetings.enums import InvitationRole
from minutes.enums import WithheldReason
from minutes.redaction import (
    CommentContent,
    ExclusionNote,
    Reader,
    ResponseContent,
    SectionContent,
    build_copy,
    profile_key,
    reader_for_invitation,
)

SECRET = "The neighbour saw the father on Tuesday"
AT = datetime(2027, 1, 8, 10, tzinfo=UTC)

# Invitation ids: mother 1, father 2, young person 3, father's advocate 4, professional 5,
# an advocate who came with nobody named 6.
FAMILY = (1, 2, 3)
MOTHER = reader_for_invitation(1, InvitationRole.PARENT_CARER, accompanies=None, companions=[], family_members=FAMILY)
FATHER = reader_for_invitation(2, InvitationRole.PARENT_CARER, accompanies=None, companions=[4], family_members=FAMILY)
YOUNG = reader_for_invitation(3, InvitationRole.YOUNG_PERSON, accompanies=None, companions=[], family_members=FAMILY)
FATHERS_ADVOCATE = reader_for_invitation(
    4, InvitationRole.ADVOCATE, accompanies=2, companions=[], family_members=FAMILY
)
PROFESSIONAL = reader_for_invitation(
    5, InvitationRole.PROFESSIONAL, accompanies=None, companions=[], family_members=FAMILY
)
UNATTACHED_INTERPRETER = reader_for_invitation(
    6, InvitationRole.INTERPRETER, accompanies=None, companions=[], family_members=FAMILY
)


def section(id=1, consent=None, restricted=()):
    return SectionContent(
        id, "Worries", "What people are worried about", SECRET, consent, frozenset(restricted), ("label",)
    )


def copy_of(reader, sections=None, comments=(), notes=(), *, final=False):
    return build_copy(list(sections or [section()]), list(comments), list(notes), reader, final=final)


def comment(id, author, *, section_id=1, response=None, active=True):
    return CommentContent(id, section_id, author, f"Author{author}", f"Comment{id}", active, 1, AT, response)


def declined(*, shown=False):
    return ResponseContent(False, "Reason", "", "", shown, AT)


def test_third_party_text_without_consent_is_withheld_from_everyone_reading_as_family():
    for consent in ("refused", "not_asked"):
        for reader in (MOTHER, YOUNG, FATHERS_ADVOCATE, UNATTACHED_INTERPRETER):
            [seen] = copy_of(reader, [section(consent=consent)]).sections
            assert (seen.text, seen.withheld) == ("", WithheldReason.THIRD_PARTY)
            assert seen.notice == "Information from a third party has been withheld"
        [for_professional] = copy_of(PROFESSIONAL, [section(consent=consent)]).sections
        assert (for_professional.text, for_professional.withheld) == (SECRET, None)
    [with_consent] = copy_of(MOTHER, [section(consent="given")]).sections
    assert with_consent.text == SECRET


def test_a_part_restricted_from_a_parent_is_withheld_from_them_and_the_advocate_who_comes_with_them():
    sections = [section(restricted={2})]
    for reader in (FATHER, FATHERS_ADVOCATE, UNATTACHED_INTERPRETER):
        [seen] = copy_of(reader, sections).sections
        assert (seen.text, seen.notice) == ("", "This part of the meeting took place without you")
    for reader in (MOTHER, YOUNG, PROFESSIONAL, Reader.staff()):
        assert copy_of(reader, sections).sections[0].text == SECRET


def test_a_part_restricted_from_a_professional_is_withheld_from_them():
    [seen] = copy_of(PROFESSIONAL, [section(restricted={5})]).sections
    assert seen.withheld == WithheldReason.EXCLUDED


def test_restriction_labels_are_for_staff_and_professionals_only():
    assert copy_of(PROFESSIONAL).sections[0].labels == ("label",)
    assert copy_of(MOTHER).sections[0].labels == ()


def test_a_comment_has_the_restrictions_of_its_part():
    sections = [section(1, restricted={2}), section(2)]
    comments = [comment(10, 1, section_id=1, response=declined(shown=True)), comment(11, 1, section_id=2)]
    assert [c.id for c in copy_of(FATHER, sections, comments, final=True).comments] == []
    assert [c.id for c in copy_of(YOUNG, sections, comments, final=True).comments] == [10]
    assert [c.id for c in copy_of(PROFESSIONAL, sections, comments).comments] == [10, 11]


def test_while_the_draft_is_open_a_family_member_sees_only_their_households_comments():
    comments = [comment(10, 1), comment(11, 2), comment(12, 4)]
    assert [c.id for c in copy_of(MOTHER, comments=comments).comments] == [10]
    assert [c.id for c in copy_of(FATHER, comments=comments).comments] == [11, 12]
    assert [c.id for c in copy_of(FATHERS_ADVOCATE, comments=comments).comments] == [11, 12]
    assert [c.id for c in copy_of(Reader.staff(), comments=comments).comments] == [10, 11, 12]
    assert [(c.id, c.own) for c in copy_of(FATHER, comments=comments).comments] == [(11, True), (12, True)]


def test_in_the_final_record_a_declined_comment_reaches_the_rest_of_the_family_only_when_the_chair_chose():
    private, shown = comment(10, 1, response=declined()), comment(11, 1, response=declined(shown=True))
    accepted = comment(12, 1, response=ResponseContent(True, "", "a", "b", False, AT))
    withdrawn = comment(13, 1, response=declined(shown=True), active=False)
    everything = [private, shown, accepted, withdrawn]
    assert [c.id for c in copy_of(FATHER, comments=everything, final=True).comments] == [11]
    assert [c.id for c in copy_of(MOTHER, comments=everything, final=True).comments] == [10, 11, 12, 13]
    assert [c.id for c in copy_of(PROFESSIONAL, comments=everything, final=True).comments] == [10, 11, 12, 13]
    assert [n.comment for n in copy_of(FATHER, comments=everything, final=True).not_accepted] == ["Comment11"]


def test_exclusion_reasons_are_for_staff_and_professionals():
    notes = [ExclusionNote(2, "Father", "Shouted at the social worker")]
    for reader in (MOTHER, FATHER, YOUNG, FATHERS_ADVOCATE):
        assert copy_of(reader, notes=notes).exclusion_notes == ()
    assert copy_of(PROFESSIONAL, notes=notes).exclusion_notes == tuple(notes)


@pytest.mark.parametrize("role", list(InvitationRole))
def test_every_role_makes_a_reader_as_its_party_says(role):
    reader = reader_for_invitation(9, role, accompanies=None, companions=[], family_members=FAMILY)
    assert reader.reads_as_family == role.reads_as_family
    assert 9 in reader.denied_as


def test_readers_who_see_the_same_share_a_profile():
    sections = [section(1, consent="refused"), section(2, restricted={1})]
    assert profile_key(copy_of(MOTHER, sections)) != profile_key(copy_of(PROFESSIONAL, sections))
    assert profile_key(copy_of(YOUNG, sections)) == profile_key(copy_of(FATHER, sections))
