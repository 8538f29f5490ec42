from decimal import Decimal

from django import template

from relais.audit_labels import audit_label as _audit_label
from relais.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """{{ call.envelope|money:call.currency }} -> '1 250 000 FCFA' in French."""
    return format_money(amount, currency)


@register.filter
def audit_label(action: str) -> str:
    return _audit_label(action)


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """``?page=N`` keeping the list's other query parameters (filters, sort)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()
