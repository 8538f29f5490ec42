from django import template

from relais.money import format_money
from relais.templatetags.relais import money

register = template.Library()
register.filter("money", money)  # the kernel's filter, so grants templates need one {% load %}


@register.filter
def line_total(line, currency: str) -> str:
    """{{ line|line_total:call.currency }}: quantity × unit cost, formatted."""
    return format_money(line.total_in(currency), currency)


@register.filter
def event_label(event) -> str:
    """A readable label for a grants audit event on an application's timeline."""
    from django.utils.translation import gettext as _

    from grants.workflow import APPLICATION_TRANSITIONS

    action = event.action.split(".", 1)[-1]
    for transition in APPLICATION_TRANSITIONS:
        if transition.action == action:
            return str(transition.label)
    labels = {
        "created": _("Application started"), "section_saved": _("Section saved"),
        "attachment_added": _("Document attached"),
    }
    return labels.get(action, event.action)
