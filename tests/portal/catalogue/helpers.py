"""Reading pages the way a person does: headings, links, buttons and forms, in document order."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

_RECORDED = {
    *("h1", "h2", "h3", "a", "button", "form", "dt", "dd", "strong", "title", "p"),
    *("nav", "main", "table", "tr", "th", "td", "ul", "li", "span"),
}
_VOID = {"input", "br", "img", "meta", "link", "hr", "path", "svg"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    parents: list["Element"] = field(default_factory=list, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def inside(self, tag: str) -> "Element | None":
        return next((p for p in reversed(self.parents) if p.tag == tag), None)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID or tag not in _RECORDED:
            return
        element = Element(tag, {k: v or "" for k, v in attrs}, parents=list(self.open))
        self.elements.append(element)
        self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.text += data


def elements(response, *tags: str) -> list[Element]:
    """The recorded elements of these tags, in document order, with whitespace-collapsed text."""
    parser = _Parser()
    parser.feed(response.content.decode())
    found = [e for e in parser.elements if not tags or e.tag in tags]
    for element in found:
        element.text = " ".join(element.text.split())
    return found


def texts(response, *tags: str) -> list[str]:
    return [e.text for e in elements(response, *tags)]
