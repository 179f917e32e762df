"""The people Confer knows about.

Every human is a ``Person``, whether or not they can log in: a grandmother invited by post
and a police officer with an account are both people. A ``Child`` is the person a meeting
is about; a ``Family`` groups a child or sibling group with the adults of their household.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from participants.enums import AgencyKind, Consent, Relationship


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(max_length=60, blank=True, default="English")
    accessibility_needs = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_label(self) -> str:
        return f"person #{self.pk}"


class Family(models.Model):
    """A child or sibling group and the adults of their household: one case."""

    reference = models.CharField(max_length=20, unique=True, help_text="Case reference, e.g. FAM-00042.")
    members = models.ManyToManyField(Person, through="FamilyMember", related_name="families")

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.reference


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="family_memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["family", "person"], name="unique_family_member")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()}) in {self.family}"


class Child(models.Model):
    """The subject of meetings. The name lives on ``person`` so the child can be invited."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="child")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    date_of_birth = models.DateField()
    identifier = models.CharField(
        max_length=30, unique=True, help_text="The local case-management identifier, never the name."
    )
    looked_after_since = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["identifier"]
        verbose_name_plural = "children"
        # Only the children in care now, for the due list's first CLA reviews.
        indexes = [
            models.Index(
                fields=["looked_after_since"],
                name="child_looked_after_idx",
                condition=models.Q(looked_after_since__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.full_name} ({self.identifier})"

    @property
    def audit_label(self) -> str:
        return f"child {self.identifier}"


class ThirdPartySource(models.Model):
    """Someone whose information may appear in minutes, and whether they agreed to share it.

    A parent's copy of the minutes leaves out what this source said unless consent is
    ``given``; "not asked" is treated like "refused" until someone asks.
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="third_party_sources")
    name = models.CharField(max_length=200, help_text="Who the information comes from, e.g. 'a neighbour'.")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    consent = models.CharField(max_length=20, choices=Consent.choices, default=Consent.NOT_ASKED)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_consent_display()})"
