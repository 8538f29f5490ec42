"""How the audit log names training sessions and participants, and reads their events."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from relais.audit_describe import AuditTarget, register_audit_target
from relais.audit_labels import register_audit_labels, register_audit_sentences

from .models import Participant, TrainingSession
from .workflow import SESSION

register_audit_target(AuditTarget(
    "training.trainingsession", gettext_lazy("the training session “%(name)s”"),
    lambda tenant: TrainingSession.objects.filter(tenant=tenant), columns=("title",),
    name=lambda session: session["title"], link=("training:session_detail", "training_session_pk", "pk"),
    search_fields=("title",),
    action_prefixes=("training_session",),
    tenant_field="tenant",
))
# A participant is named by code only: the audit log never spreads the names of people at risk.
register_audit_target(AuditTarget(
    "training.participant", gettext_lazy("the participant %(name)s"),
    lambda tenant: Participant.objects.filter(tenant=tenant), columns=("code",),
    name=lambda participant: participant["code"], search_fields=("code",),
    tenant_field="tenant",
))

register_audit_labels({f"{SESSION.name}.{t.action}": t.label for t in SESSION.transitions})
register_audit_labels({
    "training_session.created": gettext_lazy("Training session created"),
    "training_session.updated": gettext_lazy("Training session changed"),
    "training_session.material_added": gettext_lazy("Training material added"),
    "training_session.participant_registered": gettext_lazy("Participant registered"),
    "training_session.attendance_saved": gettext_lazy("Attendance saved"),
    "training_session.attendance_imported": gettext_lazy("Attendance imported"),
    "training_session.scores_saved": gettext_lazy("Test scores and evaluations saved"),
    "training_session.certificate_issued": gettext_lazy("Certificate issued"),
    "participant.created": gettext_lazy("Participant added"),
    "training_topics.updated": gettext_lazy("Training topics changed"),
})
register_audit_sentences({
    "training_session.created": gettext_lazy("%(actor)s created %(object)s"),
    "training_session.updated": gettext_lazy("%(actor)s changed %(object)s"),
    "training_session.material_added": gettext_lazy("%(actor)s added a material to %(object)s"),
    "training_session.participant_registered": gettext_lazy("%(actor)s registered a participant to %(object)s"),
    "training_session.attendance_saved": gettext_lazy("%(actor)s saved the attendance of %(object)s"),
    "training_session.attendance_imported": gettext_lazy("%(actor)s imported the attendance of %(object)s"),
    "training_session.scores_saved": gettext_lazy("%(actor)s saved the test scores and evaluations of %(object)s"),
    "training_session.certificate_issued": gettext_lazy("%(actor)s issued a certificate for %(object)s"),
    "training_session.held": gettext_lazy("%(actor)s marked %(object)s as held"),
    "training_session.closed": gettext_lazy("%(actor)s closed %(object)s"),
    "training_session.reopened": gettext_lazy("%(actor)s set %(object)s back to planned"),
    "training_session.cancelled": gettext_lazy("%(actor)s cancelled %(object)s"),
    "participant.created": gettext_lazy("%(actor)s added %(object)s"),
    "training_topics.updated": gettext_lazy("%(actor)s changed the training topics of %(object)s"),
})
register_audit_labels({"training_participants.exported": gettext_lazy("List of participants exported")})
register_audit_sentences({
    "training_participants.exported": gettext_lazy("%(actor)s exported the list of participants of %(object)s"),
})
