"""The language dnnlab speaks: English, the source, or Korean, by gettext.

Every message is written in English where it is used, and shown through `_()`:
in English it is the text itself, byte for byte; in Korean, the catalog's
translation (dnnlab/locale/ko/LC_MESSAGES/dnnlab.mo, compiled from its .po by
scripts/messages.py). A message with numbers in it is a `msg(template, **values)`:
a str that reads as the English, and that `_()` translates as its template before
it fills in the values (a value that is itself a msg is translated too). Data stays
English (results.json, a Check's text); only what is shown is translated.

The language: `use("ko")` (a lab's --lang ko), else $DNNLAB_LANG, else the locale
($LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG, as gettext reads them: ko_KR.UTF-8 is
Korean), else English. A message the catalog lacks falls back to English, except
with $DNNLAB_STRICT_LANG set (the tests): then it is an error.
Imports no TensorFlow.
"""

from __future__ import annotations

import gettext
import os
import re
import string
import unicodedata
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "ko")
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "dnnlab"
_chosen: str | None = None


class Missing(KeyError):
    """A message the Korean catalog does not have (with $DNNLAB_STRICT_LANG)."""


class Text(str):
    """A message with values: reads as its English; _() translates its template."""

    template: str
    values: dict

    def __new__(cls, template: str, values: dict):
        text = super().__new__(cls, template.format(**values))
        text.template, text.values = template, values
        return text

    def __reduce__(self):  # a copy or a pickle (a search worker's) stays a msg
        return Text, (self.template, self.values)


def msg(template: str, **values) -> Text:
    """A message whose values are filled in after translation, e.g.
    msg("diverged at epoch {epoch}", epoch=3)."""
    return Text(template, values)


def use(lang: str | None) -> None:
    """Speak `lang` from now on ("en" or "ko"); None: the environment decides."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    global _chosen
    _chosen = lang


@contextmanager
def speaking(lang: str | None):
    """Speak `lang` inside the block (None: as before), then as before."""
    before = _chosen
    if lang is not None:
        use(lang)
    try:
        yield
    finally:
        use(before)


def from_environment() -> str:
    """$DNNLAB_LANG, else the locale's language: "ko" for ko_KR.UTF-8, else "en"."""
    if os.environ.get("DNNLAB_LANG"):
        return os.environ["DNNLAB_LANG"]
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ko" if value.split(":")[0].lower().startswith("ko") else "en"
    return "en"


def language() -> str:
    return _chosen or from_environment()


def korean() -> bool:
    return language() == "ko"


@cache
def catalog(lang: str = "ko") -> dict[str, str]:
    """The compiled catalog's translations, {English: Korean}."""
    with open(LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
        found = gettext.GNUTranslations(f)
    return {k: v for k, v in found._catalog.items() if isinstance(k, str) and k}


def translate(text: str, lang: str) -> str:
    """One template in `lang`: itself in English; the catalog's, else English (or
    Missing with $DNNLAB_STRICT_LANG)."""
    if lang == "en" or not text:
        return text
    found = catalog(lang).get(text)
    if found is None:
        if os.environ.get("DNNLAB_STRICT_LANG"):
            raise Missing(text)
        return text
    return found


def _(text: str) -> str:
    """The message in the current language (the English itself in English)."""
    lang = language()
    if lang == "en":
        return str(text)
    if isinstance(text, Text):
        values = {k: _(v) if isinstance(v, Text) else v for k, v in text.values.items()}
        return translate(text.template, lang).format(**values)
    return translate(text, lang)


def as_shown(text: str) -> str:
    """A msg in the language spoken; any other text (a name, a number) as it is."""
    return _(text) if isinstance(text, Text) else text


def fields(template: str) -> set[str]:
    """The format fields of a template, e.g. {'epoch'} for 'at epoch {epoch:d}'."""
    return {
        f"{name}{':' + spec if spec else ''}{'!' + conv if conv else ''}"
        for _text, name, spec, conv in string.Formatter().parse(template)
        if name is not None
    }


def width(text: str) -> int:
    """Columns a text takes in a terminal: a Hangul syllable (wide) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


HANGUL = re.compile("[\uac00-\ud7a3]")
