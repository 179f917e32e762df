from django.db import models


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared_for_comment", "Shared for comment"
    APPROVED = "approved", "Approved"
    DISTRIBUTED = "distributed", "Distributed"


class WithheldReason(models.TextChoices):
    THIRD_PARTY = "third_party", "Information from a third party has been withheld"
    EXCLUDED = "excluded", "This part of the meeting took place without you"
