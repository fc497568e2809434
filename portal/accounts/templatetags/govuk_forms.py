"""GOV.UK Design System markup for Django forms, used by the allauth element templates.

allauth renders its pages through small "element" templates (templates/allauth/elements/). These
helpers give them what GOV.UK asks of every form: a class per kind of input, hint and error ids the
input points at, no placeholders, and one error summary at the top of the page listing every error
with a link to its field.
"""

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# Context names under which allauth's views hand forms to their templates.
_FORM_CONTEXT_NAMES = ("form", "verify_form", "change_form", "webauthn_form")

# Inputs holding a code: short, no spell checking or capitalisation.
_CODE_FIELDS = frozenset({"code"})


@dataclass(frozen=True)
class ErrorLink:
    message: str
    href: str  # "" when the error belongs to no visible field


def _input_class(bound_field: BoundField) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.RadioSelect):
        return "govuk-radios__input"
    if isinstance(widget, forms.Textarea):
        base = "govuk-textarea"
    elif isinstance(widget, forms.Select):
        base = "govuk-select"
    else:
        base = "govuk-input"
    classes = [base]
    if bound_field.name in _CODE_FIELDS:
        classes.append("govuk-input--width-10")
    if bound_field.errors:
        classes.append(f"{base}--error")
    return " ".join(classes)


def describedby(bound_field: BoundField) -> str:
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    return " ".join(ids)


@register.filter
def govuk_widget(bound_field: BoundField) -> SafeString:
    """The field's input with GOV.UK classes, pointing at its hint and error message."""
    attrs: dict[str, Any] = {"class": _input_class(bound_field), "placeholder": False}
    described = describedby(bound_field)
    # False drops the attribute; Django would otherwise point at an id we do not render.
    attrs["aria-describedby"] = described or False
    if bound_field.name in _CODE_FIELDS:
        attrs.update(spellcheck="false", autocapitalize="none")
    if isinstance(bound_field.field, forms.EmailField):
        attrs["spellcheck"] = "false"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field: BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


def _first_visible_id(form: forms.BaseForm) -> str:
    for bound_field in form.visible_fields():
        return f"#{bound_field.id_for_label}"
    return ""


def error_links(form: forms.BaseForm) -> list[ErrorLink]:
    """Every error of a bound form, each with the anchor of the input to fix."""
    if not form.is_bound or not form.errors:
        return []
    links = [ErrorLink(str(e), _first_visible_id(form)) for e in form.non_field_errors()]
    for bound_field in form:
        href = "" if bound_field.is_hidden else f"#{_first_input_id(bound_field)}"
        links.extend(ErrorLink(str(e), href) for e in bound_field.errors)
    return links


def _first_input_id(bound_field: BoundField) -> str:
    # Radios and checkboxes have no one label (Django gives "" for them); GOV.UK links the
    # summary to the first option's input, whose id Django makes "<id>_0".
    if bound_field.id_for_label:
        return bound_field.id_for_label
    return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""


def forms_in(context: template.Context) -> list[forms.BaseForm]:
    found: list[forms.BaseForm] = []
    for name in _FORM_CONTEXT_NAMES:
        candidate = context.get(name)
        if isinstance(candidate, forms.BaseForm) and all(f is not candidate for f in found):
            found.append(candidate)
    return found


@register.simple_tag(takes_context=True)
def page_error_links(context: template.Context) -> list[ErrorLink]:
    """The errors of every form on the page, for the error summary."""
    return [link for form in forms_in(context) for link in error_links(form)]


@register.simple_tag(takes_context=True)
def other_form_has_errors(context: template.Context) -> bool:
    """True when a form other than ``form`` has errors.

    base.html prefixes the title with "Error: " when ``form`` has errors; pages whose form goes by
    another name (the code confirmation pages) need the prefix from us.
    """
    main = context.get("form")
    if isinstance(main, forms.BaseForm) and main.is_bound and main.errors:
        return False
    return any(f.is_bound and f.errors for f in forms_in(context) if f is not main)


@register.filter(is_safe=True)
def collapse_whitespace(value: str) -> str:
    """allauth's title blocks are indented over several lines; a title wants one line."""
    return " ".join(str(value).split())
