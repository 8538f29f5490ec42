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

import functools
import html
from typing import Any

from django import forms
from django.db.models import Choices
from django.forms.widgets import Input
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

LABEL_TEMPLATE = "django/forms/label.html"
# Django's own msgid (BoundField.label_tag), translated by Django's catalogue: a name, not a literal,
# so that it is not extracted into the project's catalogue.
LABEL_PUNCTUATION = ":?.!"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
INPUT_TEMPLATES = {"django/forms/widgets/text.html", "django/forms/widgets/date.html"}


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


def fast_escape(text: Any) -> str:
    """``django.utils.html.escape()``'s result (``html.escape`` of ``str()``) without the lazy-argument
    wrapper ``keep_lazy`` puts around each call: a list page written in one pass escapes hundreds of
    values (issue 10)."""
    return html.escape(str(text))


def choice_labels(choices: type[Choices]) -> dict[str, str]:
    """The escaped labels of ``choices`` (a TextChoices) by value, in the active language: translated and
    escaped once per worker and language, not on every view of every list (issue 10)."""
    return _choice_labels(choices, get_language())


@functools.cache
def _choice_labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {value: fast_escape(label) for value, label in choices.choices}


def fast_conditional_escape(value: Any) -> SafeString:
    """``conditional_escape()``'s result (markup kept, anything else escaped, lazy text translated)
    without the lazy-argument wrappers around it and ``escape()``."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return SafeString(value.__html__())
    return SafeString(html.escape(str(value)))


def _text(value: Any) -> str | None:
    """``{{ value }}`` for text (lazy or not); None for anything the template would localise."""
    if isinstance(value, Promise):
        value = str(value)
    return fast_conditional_escape(value) if isinstance(value, str) else None


class FastSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        if (self.template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE
                or not _plain_options(type(self))):
            return super().render(name, value, attrs, renderer)
        # What get_context() gives the templates, without its dictionary per option: Select's
        # options inherit no attributes and carry only "selected" (ChoiceWidget.optgroups).
        values = self.format_value(value)
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        parts = [f'<select name="{conditional_escape(name)}"{_attrs(select_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            group_name = None
            options: Any = [(option_value, option_label)]
            if isinstance(option_label, (list, tuple)):
                group_name, options = option_value, option_label
            if group_name:
                label = _text(group_name)
                if label is None:
                    return super().render(name, value, attrs, renderer)
                parts.append(f'\n  <optgroup label="{label}">')
            for subvalue, sublabel in options:
                label = _text(sublabel)
                if label is None:
                    return super().render(name, value, attrs, renderer)
                selected = (not has_selected or self.allow_multiple_selected) and str(subvalue) in values
                has_selected |= selected
                parts.append(f'\n  <option value="{html.escape(str(subvalue))}"{" selected" if selected else ""}>'
                             f"{label}</option>\n")
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above went through an escape


def _plain_options(widget_class: type[forms.Select]) -> bool:
    """Whether a select class builds its options as Django's Select does (else: its own templates path)."""
    select = forms.Select
    return (widget_class.optgroups is select.optgroups and widget_class.create_option is select.create_option
            and widget_class.get_context is select.get_context and not widget_class.option_inherits_attrs
            and widget_class.checked_attribute == {"selected": True})


class _FastInput(Input):
    """``django/forms/widgets/input.html`` with ``attrs.html`` written directly (the text and date
    inputs of the filter forms): tests/relais/test_widgets.py compares both, byte for byte."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        if self.template_name not in INPUT_TEMPLATES or type(self).get_context is not Input.get_context:
            return super().render(name, value, attrs, renderer)
        shown = self.format_value(value)
        value_attr = "" if shown is None else f' value="{_string(shown)}"'
        return mark_safe(  # noqa: S308 - every value went through an escape
            f'<input type="{_string(self.input_type)}" name="{conditional_escape(name)}"{value_attr}'
            f"{_attrs(self.build_attrs(self.attrs, attrs))}>")


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: text marked safe stays as it is, anything else is escaped."""
    return conditional_escape(value) if isinstance(value, str) else escape(str(value))


class FastTextInput(_FastInput, forms.TextInput):
    pass


class FastDateInput(_FastInput, forms.DateInput):
    pass


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


class FastEmailInput(_FastInput, forms.EmailInput):
    pass


def form_fields_html(form: forms.BaseForm) -> SafeString:
    """templates/relais/form_fields.html (every form of the application) written in one pass: its
    markup, with each label through ``label_html`` and each widget through its own ``render``. The
    template's loop, tags and lookups were a good part of a list page with a form (the members'
    invitation, the session's materials; issue 10). tests/relais/test_form_fields.py compares the two,
    byte for byte, over the application's forms, bound and unbound, valid and not, in both languages."""
    parts = []
    errors = form.non_field_errors()
    if errors:
        parts.append('<div class="errors" role="alert">'
                     + "".join(f"<p>{conditional_escape(str(e))}</p>" for e in errors) + "</div>")
    parts.append("\n")
    parts.extend(str(field) for field in form.hidden_fields())
    parts.append("\n")
    for field in form.visible_fields():
        label = label_html(field)
        if field.widget_type == "checkbox":
            control = f"{field} {label}"
        else:
            required = ' <span class="req" aria-hidden="true">*</span>' if field.field.required else ""
            control = f"{label}{required}\n{field}"
        help_text = f'<small class="help">{conditional_escape(field.help_text)}</small>' if field.help_text else ""
        field_errors = "".join(f'<p class="error" role="alert">{conditional_escape(str(e))}</p>' for e in field.errors)
        parts.append(f'\n<div class="field{" has-error" if field.errors else ""}" '
                     f'id="field-{conditional_escape(field.html_name)}">\n{control}\n{help_text}\n{field_errors}\n</div>\n')
    return mark_safe("".join(parts))  # noqa: S308 - every value went through an escape or is a widget's markup
