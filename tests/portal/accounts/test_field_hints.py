"""A form field's hint (templates/allauth/elements/_bound_field.html) is text unless our code
made it markup: Django's own forms mark theirs safe (the password rules are a list)."""

from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html


class HintedForm(forms.Form):
    code = forms.CharField(help_text="Type <your code> & press Enter")
    rules = forms.CharField(help_text=format_html("<ul><li>{}</li></ul>", "At least 12 <chars>"))
    agree = forms.BooleanField(help_text="<b>not bold</b>")


def hint_of(field: str) -> str:
    html = render_to_string(
        "allauth/elements/_bound_field.html", {"bound_field": HintedForm()[field]}
    )
    start = html.index(f'id="id_{field}-hint"')
    return html[html.index(">", start) + 1 : html.index("</div>", start)]


def test_a_plain_hint_is_escaped_so_it_reads_as_written():
    assert hint_of("code") == "Type &lt;your code&gt; &amp; press Enter"
    assert hint_of("agree") == "&lt;b&gt;not bold&lt;/b&gt;"


def test_a_hint_marked_safe_by_our_code_keeps_its_markup_and_escapes_what_it_quotes():
    assert hint_of("rules") == "<ul><li>At least 12 &lt;chars&gt;</li></ul>"
