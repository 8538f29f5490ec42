"""What a browser would send for a form of a rendered page (tests of pages opened in two tabs)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, contains: str) -> None:
        super().__init__(convert_charrefs=True)
        self.contains = contains
        self.forms: list[list[tuple[str, str]]] = []
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.in_form = True
            self.forms.append([])
        if not self.in_form:
            return
        fields = self.forms[-1]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value") or "on"))
                return
            fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            fields.append((self.select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            text = "".join(self.text)
            self.forms[-1].append((self.textarea, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def form_data(html: str | bytes, *, having: str = "_version") -> dict[str, list[str]]:
    """The fields of the first POST form holding an input named `having`, as a browser sends them."""
    reader = _FormReader(having)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    for fields in reader.forms:
        if any(name == having for name, _ in fields):
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            data.pop("csrfmiddlewaretoken", None)
            return data
    raise AssertionError(f"no POST form with {having!r} on the page")
