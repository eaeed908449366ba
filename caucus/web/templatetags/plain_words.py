"""Template filters that say codes in words (issue 15): a page never shows a raw code."""

from __future__ import annotations

from django import template

from caucus.cases.models import Structure
from caucus.redaction.label_words import label_words
from caucus.vault.kinds import kind_words

register = template.Library()


@register.filter(name="label_words")
def label_words_filter(label: str) -> str:
    return label_words(label)


@register.filter(name="kind_words")
def kind_words_filter(content_type: str) -> str:
    return kind_words(content_type)


@register.filter
def structure_words(policy: str) -> str:
    try:
        return str(Structure(policy).label)
    except ValueError:
        return "Unknown"
