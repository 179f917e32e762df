"""What one reader may see of the minutes: pure functions and plain data, no database.

``build_copy`` is the only way to a reader's copy. Pages, emails, the stored version and
(later) PDFs render its output and nothing else, so withheld text never reaches them: it
is not hidden by a template, it is not there. ``minutes.copies`` loads the data and calls
it.

Each rule below is a named predicate: "withhold this from this reader". They are data so
that the rules can be read in one place, and so that a test can switch one off and prove
that the leak test notices. The rules:

Parts of the minutes (a withheld part keeps its heading and shows a notice saying why):

* a part restricted from the reader, or from the family member they come with (an
  advocate or interpreter reads what that member reads; one who comes with nobody reads
  what no family member is denied);
* a third party's information, whose consent is not "given", is withheld from everyone
  who reads as family.

Comments and the chair's answers:

* a comment carries at least the restrictions of the part it is on;
* while the draft is open (draft or shared for comment), a family reader sees only their
  own household's comments (their own, and those of the advocate who comes with them);
* in the final record (approved or distributed), a family reader sees another's comment
  only when it was not accepted and the chair chose, when answering, to show it to the
  family. Staff and professionals see every comment on the parts they may read.

Attendance: the family's copy says that someone was not present for part of the meeting
(that is in the attendance text); why is for staff and professionals only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from meetings.enums import InvitationRole
from minutes.enums import WithheldReason

# --- what the readers and the minutes are, as plain data -------------------------------


@dataclass(frozen=True)
class Reader:
    invitation_id: int | None  # None: staff who are not invited to the meeting
    reads_as_family: bool
    # Parts restricted from any of these invitations are withheld from this reader.
    denied_as: frozenset[int] = frozenset()
    # Comments by any of these invitations are this reader's own household's.
    own: frozenset[int] = frozenset()

    @classmethod
    def staff(cls) -> Reader:
        """Staff who are not invited (administrators, managers, other chairs): the full record."""
        return cls(invitation_id=None, reads_as_family=False)


def reads_as_family(role: InvitationRole | str) -> bool:
    """Whether an invitation of ``role`` reads the family's copy: a family member, or one
    who comes with the family (an advocate, an interpreter)."""
    role = InvitationRole(role)
    return role.comes_with_family or role.reads_as_family


def reader_for_invitation(
    invitation_id: int,
    role: InvitationRole,
    *,
    accompanies: int | None,
    companions: Iterable[int],
    family_members: Iterable[int],
) -> Reader:
    """The reader an invitation makes. ``companions`` are the invitations that come with
    this one; ``family_members`` are every family member's invitation to the meeting."""
    role = InvitationRole(role)
    if role.comes_with_family:
        with_whom = {accompanies} if accompanies is not None else set(family_members)
        return Reader(
            invitation_id,
            reads_as_family=True,
            denied_as=frozenset({invitation_id, *with_whom}),
            own=frozenset({invitation_id, *({accompanies} if accompanies is not None else set())}),
        )
    return Reader(
        invitation_id,
        reads_as_family=reads_as_family(role),
        denied_as=frozenset({invitation_id}),
        own=frozenset({invitation_id, *companions}),
    )


@dataclass(frozen=True)
class SectionContent:
    id: int
    heading: str
    plain_heading: str
    text: str
    third_party_consent: str | None  # None: not third-party information
    restricted_from: frozenset[int]  # invitation ids
    # For staff and professionals: "Third party: …", "Withheld from …".
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseContent:
    accepted: bool
    reason: str
    text_before: str
    text_after: str
    show_to_family: bool
    responded_at: datetime

    @property
    def amended(self) -> bool:
        return self.accepted and self.text_before != self.text_after


@dataclass(frozen=True)
class CommentContent:
    id: int
    section_id: int | None  # None: on the whole draft
    author_id: int  # invitation
    author_name: str
    text: str
    active: bool  # not withdrawn
    round: int  # which sharing of the draft it was made on
    created_at: datetime
    response: ResponseContent | None = None


@dataclass(frozen=True)
class ExclusionNote:
    """Someone was asked to leave for part of the meeting, and why."""

    invitation_id: int
    name: str
    reason: str


# --- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    final: bool  # approved or distributed: the record, no longer the draft
    withheld_parts: frozenset[int] = frozenset()  # the parts withheld from this reader


@dataclass(frozen=True)
class Rule[T]:
    name: str
    withholds: Callable[[T, Reader, Stage], bool]
    notice: WithheldReason | None = None


def _restricted(section: SectionContent, reader: Reader, stage: Stage) -> bool:
    return bool(section.restricted_from & reader.denied_as)


def _third_party(section: SectionContent, reader: Reader, stage: Stage) -> bool:
    return reader.reads_as_family and section.third_party_consent not in (None, "given")


SECTION_RULES: tuple[Rule[SectionContent], ...] = (
    Rule("part restricted from the reader", _restricted, WithheldReason.EXCLUDED),
    Rule("third party without consent", _third_party, WithheldReason.THIRD_PARTY),
)


def _on_withheld_part(comment: CommentContent, reader: Reader, stage: Stage) -> bool:
    return comment.section_id in stage.withheld_parts


def _others_while_open(comment: CommentContent, reader: Reader, stage: Stage) -> bool:
    return reader.reads_as_family and not stage.final and comment.author_id not in reader.own


def _kept_private(comment: CommentContent, reader: Reader, stage: Stage) -> bool:
    if not (reader.reads_as_family and stage.final) or comment.author_id in reader.own:
        return False
    response = comment.response
    return not (comment.active and response is not None and not response.accepted and response.show_to_family)


COMMENT_RULES: tuple[Rule[CommentContent], ...] = (
    Rule("comment on a withheld part", _on_withheld_part),
    Rule("others' comments while the draft is open", _others_while_open),
    Rule("not-accepted comment kept from the rest of the family", _kept_private),
)


def _exclusion_reason(note: ExclusionNote, reader: Reader, stage: Stage) -> bool:
    return reader.reads_as_family


NOTE_RULES: tuple[Rule[ExclusionNote], ...] = (
    Rule("exclusion reasons for staff and professionals", _exclusion_reason),
)


# --- the reader's copy ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReadableSection:
    id: int
    heading: str
    plain_heading: str
    text: str  # empty when withheld
    withheld: WithheldReason | None
    labels: tuple[str, ...] = ()

    @property
    def notice(self) -> str:
        return self.withheld.label if self.withheld else ""


@dataclass(frozen=True)
class ReadableComment:
    comment: CommentContent
    own: bool  # the reader's own household's comment
    section_heading: str  # "General comment" when on the whole draft
    plain_section_heading: str

    @property
    def id(self) -> int:
        return self.comment.id

    @property
    def text(self) -> str:
        return self.comment.text

    @property
    def active(self) -> bool:
        return self.comment.active

    @property
    def response(self) -> ResponseContent | None:
        return self.comment.response

    @property
    def author_name(self) -> str:
        return self.comment.author_name


@dataclass(frozen=True)
class NotAccepted:
    section_heading: str
    comment: str
    reason: str


@dataclass(frozen=True)
class ReaderCopy:
    reader: Reader
    final: bool
    sections: tuple[ReadableSection, ...]
    comments: tuple[ReadableComment, ...]  # every comment this reader may see, oldest first
    exclusion_notes: tuple[ExclusionNote, ...]
    _by_section: dict[int | None, list[ReadableComment]] = field(default_factory=dict, repr=False, compare=False)

    def comments_on(self, section_id: int | None) -> list[ReadableComment]:
        return self._by_section.get(section_id, [])

    @property
    def rows(self) -> list[tuple[ReadableSection, list[ReadableComment]]]:
        return [(section, self.comments_on(section.id)) for section in self.sections]

    @property
    def general_comments(self) -> list[ReadableComment]:
        return self.comments_on(None)

    @property
    def own_comments(self) -> list[ReadableComment]:
        return [c for c in self.comments if c.own]

    @property
    def not_accepted(self) -> list[NotAccepted]:
        """The family's comments that were not accepted, with the chair's reasons: they
        stay in the final record beside it."""
        return [
            NotAccepted(c.section_heading, c.text, c.response.reason)
            for c in self.comments
            if c.active and c.response is not None and not c.response.accepted
        ]

    @property
    def amendments(self) -> list[ReadableComment]:
        return [c for c in self.comments if c.active and c.response is not None and c.response.amended]

    @property
    def unanswered(self) -> int:
        return sum(1 for c in self.comments if c.active and c.response is None)

    def withheld(self, section_id: int) -> bool:
        return any(s.id == section_id and s.withheld for s in self.sections)


def withheld_because(section: SectionContent, reader: Reader, stage: Stage | None = None) -> WithheldReason | None:
    stage = stage or Stage(final=False)
    for rule in SECTION_RULES:
        if rule.withholds(section, reader, stage):
            return rule.notice
    return None


def build_copy(
    sections: list[SectionContent],
    comments: list[CommentContent],
    notes: list[ExclusionNote],
    reader: Reader,
    *,
    final: bool,
) -> ReaderCopy:
    """Everything of the minutes this reader may see, and notices where they may not."""
    stage = Stage(final=final)
    readable = []
    for section in sections:
        reason = withheld_because(section, reader, stage)
        readable.append(
            ReadableSection(
                id=section.id,
                heading=section.heading,
                plain_heading=section.plain_heading,
                text="" if reason else section.text,
                withheld=reason,
                labels=() if reader.reads_as_family else section.labels,
            )
        )
    stage = Stage(final=final, withheld_parts=frozenset(s.id for s in readable if s.withheld))
    headings = {s.id: (s.heading, s.plain_heading) for s in sections}
    visible = []
    by_section: dict[int | None, list[ReadableComment]] = {}
    for comment in comments:
        if any(rule.withholds(comment, reader, stage) for rule in COMMENT_RULES):
            continue
        heading, plain = headings.get(comment.section_id, ("General comment", "About all of it"))
        item = ReadableComment(comment, comment.author_id in reader.own, heading, plain)
        visible.append(item)
        by_section.setdefault(comment.section_id, []).append(item)
    kept_notes = tuple(n for n in notes if not any(rule.withholds(n, reader, stage) for rule in NOTE_RULES))
    return ReaderCopy(
        reader=reader,
        final=final,
        sections=tuple(readable),
        comments=tuple(visible),
        exclusion_notes=kept_notes,
        _by_section=by_section,
    )


def profile_key(copy: ReaderCopy) -> tuple:
    """Readers whose copies are the same share one render (used when distributing)."""
    return (
        tuple((s.id, s.withheld) for s in copy.sections),
        tuple(c.id for c in copy.comments),
        tuple(n.invitation_id for n in copy.exclusion_notes),
    )
