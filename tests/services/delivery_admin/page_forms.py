"""The forms of a rendered page as a browser sees them, to submit them as a person would.

A browser ignores a <form> start tag met inside another form (the HTML parsing rules' "form
element pointer"), so the controls of a nested form belong to the outer one and are posted to
the outer form's address. Asserting on the page's text cannot catch that; submitting what this
parser finds can.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.test import Client


@dataclass
class Button:
    text: str
    name: str = ""
    value: str = ""
    formaction: str = ""
    formmethod: str = ""


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.ignored_forms = 0
        self.button: Button | None = None
        self.textarea: str | None = None
        self.select: str | None = None
        self.first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if self.current is not None:
                self.ignored_forms += 1  # what a browser does with a form inside a form
                return
            self.current = PageForm(a.get("action", ""), (a.get("method") or "get").lower())
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "submit":  # the admin's Save buttons are inputs
                value, action = a.get("value", ""), a.get("formaction", "")
                self.current.buttons.append(
                    Button(value, a["name"], value, action, a.get("formmethod", ""))
                )
                return
            if kind in ("image", "button", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.current.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.current.fields[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self.select, self.first_option = a["name"], None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value  # a browser sends the first option if none is selected
                self.current.fields.setdefault(self.select, value)
            if "selected" in a:
                self.current.fields[self.select] = value
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self.button = Button(
                "", a.get("name", ""), a.get("value", ""), a.get("formaction", ""),
                a.get("formmethod", ""),
            )  # fmt: skip

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button.text += data
        if self.textarea is not None and self.current is not None:
            self.current.fields[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        if tag == "button" and self.button is not None and self.current is not None:
            self.button.text = " ".join(self.button.text.split())
            self.current.buttons.append(self.button)
            self.button = None
        elif tag == "form" and self.ignored_forms:
            self.ignored_forms -= 1
        elif tag == "form":
            self.current = None


def page_forms(html: str) -> list[PageForm]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def press(client: Client, page_url: str, button_text: str, **typed: str) -> Any:
    """GET `page_url`, type `typed` into the form holding the button, press it: the response."""
    page = client.get(page_url)
    assert page.status_code == 200
    found = [
        (form, button)
        for form in page_forms(page.content.decode())
        for button in form.buttons
        if button.text == button_text
    ]
    assert found, f"no button “{button_text}” on {page_url}"
    [(form, button)] = found
    data = {**form.fields, **typed}
    if button.name:
        data[button.name] = button.value
    url = button.formaction or form.action or page_url
    method = (button.formmethod or form.method).lower()
    return client.post(url, data) if method == "post" else client.get(url, data)
