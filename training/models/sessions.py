"""Training sessions, their participants, registrations and attendance (issue 13)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.demographics import AgeBand, Sex
from relais.models import Membership, TenantOwned
from relais.uploads import get_private_storage
from relais.validators import no_control_characters

DEFAULT_TOPICS = (
    _("Conflict resolution and mediation"),
    _("NGO management"),
    _("Financial management"),
    _("Advocacy with local authorities"),
    _("Monitoring and evaluation"),
    _("Gender and inclusion"),
    _("Prevention of violent extremism"),
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and copied by hand


def new_participant_code() -> str:
    return "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class Topic(TenantOwned):
    """A training topic; each workspace edits its own list (seeded with DEFAULT_TOPICS)."""

    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="training_topic_unique_name")]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSession(Versioned, TenantOwned):
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("topic"))
    trainers = models.ManyToManyField(Membership, related_name="training_sessions", verbose_name=_("trainers"),
                                      blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    remote = models.BooleanField(_("remote session"), default=False)
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"))
    commune = models.ForeignKey("orgs.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("commune"))
    venue = models.CharField(_("venue"), max_length=200, blank=True, validators=[no_control_characters])
    languages = models.CharField(_("languages"), max_length=200, blank=True, validators=[no_control_characters],
                                 help_text=_("For example: French, Bambara."))
    capacity = models.PositiveIntegerField(_("capacity"), default=25)
    invited_organisations = models.ManyToManyField("orgs.Organisation", related_name="+", blank=True,
                                                   verbose_name=_("invited organisations"))
    award = models.ForeignKey("grants.Award", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("linked award"))
    call = models.ForeignKey("grants.Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("linked call"))
    hours_per_day = models.PositiveSmallIntegerField(
        _("hours per day"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Printed on certificates: days attended × hours per day."))
    protected = models.BooleanField(
        _("protected session"), default=False,
        help_text=_("Names are replaced by codes in every export and printed sheet (people at risk)."))
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["tenant", "-start_date", "-id"], name="training_session_list")]
        constraints = [models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                              name="training_session_dates_in_order")]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> list:
        from datetime import timedelta

        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=i) for i in range(count)]


def material_path(instance: SessionMaterial, filename: str) -> str:
    return f"training/{instance.tenant_id}/sessions/{instance.session_id}/{filename}"


class SessionMaterial(TenantOwned):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    file = models.FileField(_("file"), upload_to=material_path, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255, validators=[no_control_characters])
    content_type = models.CharField(max_length=100, validators=[no_control_characters])
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("session material")

    def __str__(self) -> str:
        return self.title


class Participant(TenantOwned):
    """A person trained. The minimum is collected; `code` stands for the name in protected sessions."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    full_name = models.CharField(_("full name"), max_length=150, validators=[no_control_characters])
    name_folded = models.CharField(max_length=150, editable=False, db_index=True)  # unaccented, lower case
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    role_title = models.CharField(_("role in the organisation"), max_length=150, blank=True,
                                  validators=[no_control_characters])
    phone = models.CharField(_("phone (optional)"), max_length=40, blank=True, validators=[no_control_characters])
    code = models.CharField(_("code"), max_length=12, default=new_participant_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_folded", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="training_participant_unique_code")]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.full_name

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() + "." for part in self.full_name.split() if part)


class Registration(TenantOwned):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="registrations")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    # Learning (issue 13): optional pre/post-test scores and the participant's evaluation of the session.
    pre_score = models.PositiveSmallIntegerField(_("pre-test score"), null=True, blank=True,
                                                 validators=[MaxValueValidator(100)])
    post_score = models.PositiveSmallIntegerField(_("post-test score"), null=True, blank=True,
                                                  validators=[MaxValueValidator(100)])
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    evaluation_comment = models.TextField(_("comment"), blank=True, max_length=2000)

    @property
    def gain(self) -> int | None:
        """Post-test minus pre-test; None unless both are known."""
        if self.pre_score is None or self.post_score is None:
            return None
        return self.post_score - self.pre_score

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "participant"],
                                               name="training_registration_once")]
        verbose_name = _("registration")

    def __str__(self) -> str:
        return f"{self.participant} — {self.session}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")


class Attendance(TenantOwned):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["registration", "day"], name="training_attendance_once")]
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.day}: {self.status}"
