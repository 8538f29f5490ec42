"""A drop-down that writes its HTML in one pass, for the filter forms of the lists.

Django renders a ``<select>`` through its form renderer: one template for the select, then one
include of the option template and one of the attributes template per option. On the list pages
(the organisation filters, the audit log's ~100 actions) that was a measurable share of the page
(issue 10: lists at half the throughput of a trivial page). ``FastSelect`` writes the very same
markup as ``django/forms/widgets/select.html`` with ``select_option.html`` and ``attrs.html``
(tests/relais/test_widgets.py compares both, byte for byte) from the same ``get_context()``; it
falls back to the templates for anything unusual (a label that is not text, a subclass with
other templates).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: False drops the attribute, True writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{escape(str(value))}"')
    return "".join(parts)


def _text(value: Any) -> str | None:
    """``{{ value }}`` for text (lazy or not); None for anything the template would localise."""
    if isinstance(value, (str, Promise)):
        return conditional_escape(value)  # type: ignore[arg-type]  # lazy text is a Promise
    return None


class FastSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        if self.template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                label = _text(group_name)
                if label is None:
                    return super().render(name, value, attrs, renderer)
                parts.append(f'\n  <optgroup label="{label}">')
            for option in options:
                label = _text(option["label"])
                if label is None or option["template_name"] != OPTION_TEMPLATE:
                    return super().render(name, value, attrs, renderer)
                parts.append(f'\n  <option value="{escape(str(option["value"]))}"'
                             f'{_attrs(option["attrs"])}>{label}</option>\n')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above went through an escape
