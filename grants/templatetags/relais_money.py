from django import template

from relais.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """{{ amount|money:call.currency }} -> '1 250 000 FCFA' in the active language."""
    return format_money(amount, currency)


@register.filter
def line_total(line, currency: str) -> str:
    """{{ line|line_total:call.currency }}: quantity × unit cost, formatted."""
    return format_money(line.total_in(currency), currency)
