from django import template

from relais.money import format_money
from relais.templatetags.relais import money, quantity

register = template.Library()
register.filter("money", money)  # the kernel's filters, so grants templates need one {% load %}
register.filter("quantity", quantity)


@register.filter
def line_total(line, currency: str) -> str:
    """{{ line|line_total:call.currency }}: quantity × unit cost, formatted."""
    return format_money(line.total_in(currency), currency)
