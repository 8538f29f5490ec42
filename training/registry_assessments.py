"""What capacity assessments register with the kernel (imported from TrainingConfig.ready()): the
navigation entry, the audit log's labels, sentences and object names, and the framework every new
workspace starts with."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relais.actor import Actor
from relais.audit_describe import AuditTarget, register_audit_target
from relais.audit_labels import register_audit_labels, register_audit_sentences
from relais.dashboard import nav_entry
from relais.models import Role
from relais.services.tenancy import register_tenant_setup

from .models import ActionItem, Assessment, AssessmentDomain, AssessmentSubArea
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


def _assessment_url(assessment: Assessment) -> str:
    return reverse("training:assessment_detail",
                   kwargs={"tenant_slug": assessment.tenant.slug, "assessment_pk": assessment.pk})


def _framework_url(row: Any) -> str:
    return reverse("training:assessment_framework", kwargs={"tenant_slug": row.tenant.slug})


register_audit_target(AuditTarget(
    "training.assessment", _("the capacity assessment of %(name)s"),
    lambda tenant: Assessment.objects.filter(tenant=tenant).select_related("tenant", "organisation").only(
        "date", "tenant__slug", "organisation__name", "organisation__acronym"),
    name=lambda a: f"{a.organisation.acronym or a.organisation.name} ({a.date:%d/%m/%Y})", url=_assessment_url,
))
register_audit_target(AuditTarget(
    "training.assessmentdomain", _("the capacity domain “%(name)s”"),
    lambda tenant: AssessmentDomain.objects.filter(tenant=tenant).select_related("tenant"),
    name=lambda d: d.name, url=_framework_url, action_prefixes=("assessment_domain",),
))
register_audit_target(AuditTarget(
    "training.assessmentsubarea", _("the capacity sub-area “%(name)s”"),
    lambda tenant: AssessmentSubArea.objects.filter(tenant=tenant).select_related("tenant"),
    name=lambda s: s.name, url=_framework_url, action_prefixes=("assessment_subarea",),
))


register_audit_target(AuditTarget(
    "training.actionitem", _("the action “%(name)s”"),
    lambda tenant: ActionItem.objects.filter(tenant=tenant).select_related("tenant", "assessment__tenant").only(
        "item", "tenant__slug", "assessment__tenant__slug"),
    name=lambda item: item.item, url=lambda item: _assessment_url(item.assessment),
))


def set_up_workspace(*, actor: Actor) -> None:
    """A new workspace starts with the seven-domain capacity framework."""
    from .services.assessments import framework_ensure

    framework_ensure(actor=actor)


register_tenant_setup(set_up_workspace)
