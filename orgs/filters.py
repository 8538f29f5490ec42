"""Filters of the organisation list (the queryset carries ``dd_status``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings

from orgs.models import (
    DueDiligenceStatus,
    FocusArea,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    Region,
    Zone,
)
from relais.actor import Actor
from relais.widgets import LABEL_PUNCTUATION, FastSelect, label_html

from .models.organisations import fold

if TYPE_CHECKING:
    from .selectors.organisations import ReferenceNames

MAX_SEARCH_WORDS = 10


class _PlainQueryIterator(django_filters.fields.ModelChoiceIterator):
    """The choices read by one plain query. Django's iterator() opens a server-side cursor on
    PostgreSQL outside a transaction (DECLARE, FETCH, CLOSE: three round trips) for a dozen regions."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _NamedChoicesIterator(_PlainQueryIterator):
    """The choices given as (pk, name) pairs already read (selectors.organisations.reference_names):
    no query to draw the drop-down. A submitted value is still checked against the field's
    queryset, so another tenant's region is refused."""

    def __iter__(self):
        if self.field.named_choices is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.field.named_choices

    def __len__(self):
        if self.field.named_choices is None:
            return super().__len__()
        return len(self.field.named_choices) + (self.field.empty_label is not None)

    def __bool__(self):
        if self.field.named_choices is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(self.field.named_choices)


class _ModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _NamedChoicesIterator
    named_choices: list[tuple[int, str]] | None = None


class _ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ModelChoiceField


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    # FastSelect: the same markup as Django's select templates, written in one pass (relais/widgets.py).
    region = _ModelChoiceFilter(label=_("Region"), queryset=Region.objects.none(), method="in_region",
                                widget=FastSelect)
    zone = django_filters.ChoiceFilter(label=_("Zone"), choices=Zone.choices, method="in_zone", widget=FastSelect)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=OrganisationType.choices, widget=FastSelect)
    focus_area = _ModelChoiceFilter(
        label=_("Focus area"), queryset=FocusArea.objects.none(), field_name="focus_areas", widget=FastSelect
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrganisationStatus.choices, widget=FastSelect)
    due_diligence = django_filters.ChoiceFilter(
        label=_("Due diligence"), choices=DueDiligenceStatus.choices, field_name="dd_status", widget=FastSelect
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args, actor: Actor, reference: ReferenceNames | None = None, **kwargs):
        """``reference``: the tenant's regions and focus areas already read, to draw the drop-downs
        without querying them again (the list page names its rows with them)."""
        from .selectors import organisations as selectors

        super().__init__(*args, **kwargs)
        self.filters["region"].queryset = selectors.region_list(actor=actor)
        self.filters["focus_area"].queryset = selectors.focus_area_list(actor=actor)
        self.reference = reference

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.reference is not None:
                form.fields["region"].named_choices = self.reference.regions
                form.fields["focus_area"].named_choices = self.reference.focus_areas
        return self._form

    def fields_html(self) -> SafeString:
        """The form's fields as the list template wrote them ({% for field in filter.form %}<div
        class="field">{{ field.label_tag }}{{ field }}</div>{% endfor %}), the labels written without the
        form renderer (relais.widgets.label_html; tests/orgs/test_organisations.py compares the two)."""
        # No filter submitted (a first view, or pages and sorts of it; other parameters such as the page
        # are not the form's): every field is drawn empty, as the form would draw it.
        if not self.is_bound or not any(name in self.data for name in self.filters):
            unbound = self._unbound_fields_html()
            if unbound is not None:
                return unbound
        return mark_safe("".join(  # noqa: S308 - label_html and the widgets escape their values
            f'<div class="field">{label_html(field)}{field}</div>' for field in self.form))

    def _unbound_fields_html(self) -> SafeString | None:
        """The fields as the form draws them when no filter was submitted (the list as first opened or
        paged, its usual views), from the filters' own widgets: without building the form, its fields
        and their bound fields, which took half the filter's cost on every view (issue 10). Nothing is
        chosen and nothing needs checking, so every drop-down selects its empty choice. The same markup as
        the form (tests/orgs/test_organisations.py compares them); None, and the form draws them,
        for a filter drawn otherwise than by a text input or a FastSelect, or without the names read."""
        if self.reference is None:
            return None
        named = {"region": self.reference.regions, "focus_area": self.reference.focus_areas}
        suffix = conditional_escape(gettext(":"))  # forms.Form's label suffix
        parts = []
        for name, filter_ in self.filters.items():
            widget, auto_id = filter_.extra.get("widget"), f"id_{name}"
            if "initial" in filter_.extra or "null_label" in filter_.extra:
                return None
            if isinstance(widget, forms.TextInput) and type(filter_) is django_filters.CharFilter:
                field = widget.render(name, None, attrs={"id": auto_id})
            elif widget is FastSelect and isinstance(filter_, (django_filters.ChoiceFilter, _ModelChoiceFilter)):
                choices = named.get(name) if isinstance(filter_, _ModelChoiceFilter) else filter_.extra.get("choices")
                if not isinstance(choices, list):  # a model filter without names read, choices given lazily
                    return None
                field = FastSelect(choices=[("", filter_settings.EMPTY_CHOICE_LABEL), *choices]).render(
                    name, None, attrs={"id": auto_id})
            else:
                return None
            label = str(filter_.label)
            text = conditional_escape(label) + (suffix if label and label[-1] not in gettext(LABEL_PUNCTUATION) else "")
            parts.append(f'<div class="field"><label for="{auto_id}">{text}</label>{field}</div>')
        return mark_safe("".join(parts))  # noqa: S308 - the labels are escaped, the widgets escape their values

    def search(self, queryset, name, value):
        """Accent-insensitive: 'segou' finds 'Ségou' (search_name holds folded names and regions)."""
        # A bounded number of words: one LIKE each, and SQLite refuses an expression tree deeper than 1000.
        for word in dict.fromkeys(fold(value).split()[:MAX_SEARCH_WORDS]):
            queryset = queryset.filter(search_name__contains=word)
        return queryset

    def in_region(self, queryset, name, value):
        # Head office or a region of work; the subquery keeps rows distinct.
        ids = Organisation.objects.filter(regions_of_work=value).values("pk")
        return queryset.filter(Q(region=value) | Q(pk__in=ids))

    def in_zone(self, queryset, name, value):
        ids = Organisation.objects.filter(regions_of_work__zone=value).values("pk")
        return queryset.filter(Q(region__zone=value) | Q(pk__in=ids))
