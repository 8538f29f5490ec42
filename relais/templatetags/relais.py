from decimal import Decimal

from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language

from relais.audit_labels import audit_label as _audit_label
from relais.money import format_money
from relais.widgets import form_fields_html

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """{{ call.envelope|money:call.currency }} -> '1 250 000 FCFA' in French."""
    return format_money(amount, currency)


@register.filter
def quantity(value: Decimal | int | None) -> str:
    """{{ line.quantity|quantity }}: '12', '2,5' in French ('2.5' in English), never '12.00' (as the PDF)."""
    if value is None:
        return ""
    locale = (get_language() or "fr").replace("-", "_")
    return format_decimal(value, format="#,##0.###", locale=locale)


@register.simple_tag
def form_fields(form):  # type: ignore[no-untyped-def]
    """{% form_fields form %}: relais/form_fields.html's markup written in one pass (relais.widgets)."""
    return form_fields_html(form)


@register.filter
def audit_label(action: str) -> str:
    return _audit_label(action)


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """``?page=N`` keeping the list's other query parameters (filters, sort)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


@register.simple_tag
def colon() -> str:
    """The colon after a label: French puts a no-break space before it ("Motif : …"), English does not."""
    return "\u00a0:" if (get_language() or "").startswith("fr") else ":"
