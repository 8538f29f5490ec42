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
from django.utils.translation import gettext as _

LABEL_TEMPLATE = "django/forms/label.html"
# Django's own msgid (BoundField.label_tag), translated by Django's catalogue: a name, not a literal,
# so that it is not extracted into the project's catalogue.
LABEL_PUNCTUATION = ":?.!"
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


def label_html(field: forms.BoundField) -> SafeString:
    """``field.label_tag()`` without the form renderer: the same markup as ``django/forms/label.html``
    with ``attrs.html`` (tests/relais/test_widgets.py compares them), written directly. A filter form's
    seven labels through the renderer were a measurable share of the organisation list (issue 10);
    anything unusual (another label template, a required CSS class, a field's own suffix) falls back."""
    form = field.form
    if (form.template_name_label != LABEL_TEMPLATE or hasattr(form, "required_css_class")
            or field.field.label_suffix is not None):
        return field.label_tag()
    contents = field.label
    suffix = form.label_suffix
    text: str = conditional_escape(contents)
    if suffix and contents and contents[-1] not in _(LABEL_PUNCTUATION):
        text = f"{text}{conditional_escape(suffix)}"
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    if not id_:
        return mark_safe(text)  # noqa: S308 - escaped above
    id_for_label = widget.id_for_label(id_)
    attrs = f' for="{escape(str(id_for_label))}"' if id_for_label else ""
    return mark_safe(f"<label{attrs}>{text}</label>")  # noqa: S308 - escaped above
