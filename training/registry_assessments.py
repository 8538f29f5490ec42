"""What capacity assessments register with the kernel (imported from TrainingConfig.ready()): the
navigation entry, the audit log's labels, sentences and object names, and the framework every new
workspace starts with."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relais.actor import Actor
from relais.audit_describe import AuditTarget, register_audit_target
from relais.audit_labels import register_audit_labels, register_audit_sentences
from relais.dashboard import nav_entry
from relais.models import Role
from relais.services.tenancy import register_tenant_setup

from .models import ActionItem, Assessment, AssessmentDomain, AssessmentSubArea
from .models.assessments import bilingual_name
from .workflow import ACTION_ITEM, ASSESSMENT

nav_entry(roles=[Role.MANAGER, Role.TRAINER, Role.APPLICANT], label=_("Capacity assessments"),
          url_name="training:assessment_list", order=60)

for machine in (ASSESSMENT, ACTION_ITEM):
    register_audit_labels({f"{machine.name}.{t.action}": t.label for t in machine.transitions})
register_audit_labels({
    "assessment.created": _("Capacity assessment created"),
    "assessment.scored": _("Capacity assessment scored"),
    "assessment.action_plan_saved": _("Action plan saved"),
    "assessment_domain.updated": _("Capacity domain changed"),
    "assessment_subarea.updated": _("Capacity sub-area changed"),
})
register_audit_sentences({
    "assessment.complete": _("%(actor)s completed %(object)s"),
    "assessment.created": _("%(actor)s started %(object)s"),
    "assessment.scored": _("%(actor)s saved the scores of %(object)s"),
    "assessment.action_plan_saved": _("%(actor)s saved the action plan of %(object)s"),
    "assessment_domain.updated": _("%(actor)s changed %(object)s"),
    "assessment_subarea.updated": _("%(actor)s changed %(object)s"),
    "action_item.mark_open": _("%(actor)s reopened %(object)s"),
    "action_item.mark_in_progress": _("%(actor)s marked %(object)s as in progress"),
    "action_item.mark_done": _("%(actor)s marked %(object)s as done"),
})


ASSESSMENT_LINK = ("training:assessment_detail", "assessment_pk", "pk")


def _bilingual_name(row: dict[str, Any]) -> str:
    return bilingual_name(row["name_fr"], row["name_en"])


register_audit_target(AuditTarget(
    "training.assessment", _("the capacity assessment of %(name)s"),
    lambda tenant: Assessment.objects.filter(tenant=tenant), columns=("date", "organisation__name",
                                                                      "organisation__acronym"),
    name=lambda a: f"{a['organisation__acronym'] or a['organisation__name']} ({a['date']:%d/%m/%Y})",
    link=ASSESSMENT_LINK,
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "training.assessmentdomain", _("the capacity domain “%(name)s”"),
    lambda tenant: AssessmentDomain.objects.filter(tenant=tenant), columns=("name_fr", "name_en"),
    name=_bilingual_name, page="training:assessment_framework", action_prefixes=("assessment_domain",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "training.assessmentsubarea", _("the capacity sub-area “%(name)s”"),
    lambda tenant: AssessmentSubArea.objects.filter(tenant=tenant), columns=("name_fr", "name_en"),
    name=_bilingual_name, page="training:assessment_framework", action_prefixes=("assessment_subarea",),
    tenant_field="tenant",
))


register_audit_target(AuditTarget(
    "training.actionitem", _("the action “%(name)s”"),
    lambda tenant: ActionItem.objects.filter(tenant=tenant), columns=("item",),
    name=lambda item: item["item"], link=(*ASSESSMENT_LINK[:2], "assessment_id"),
    tenant_field="tenant",
))


def set_up_workspace(*, actor: Actor) -> None:
    """A new workspace starts with the seven-domain capacity framework."""
    from .services.assessments import framework_ensure

    framework_ensure(actor=actor)


register_tenant_setup(set_up_workspace)
