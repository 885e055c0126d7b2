"""The glossary: every term a chapter links is defined, and the chapters link their terms."""

import pytest

from conftest import chapter_names


def glossary_ids(page) -> set[str]:
    return {dt["id"] for dt in page("glossary").select("dl.glossary dt[id]")}


@pytest.mark.parametrize("name", chapter_names())
def test_every_term_link_resolves_to_a_glossary_entry(page, name):
    ids = glossary_ids(page)
    links = page(name).select("article a.reference.internal:has(span.xref.std-term)")
    assert len(links) >= 10, f"{name} links only {len(links)} glossary terms"
    for link in links:
        target, _, anchor = link["href"].partition("#")
        assert target == "glossary.html" and anchor in ids, link


def test_week02_terms_are_defined(page):
    ids = {i.lower() for i in glossary_ids(page)}
    for term in ["softmax", "cross-entropy", "backpropagation", "gradient-descent",
                 "vanishing-gradient", "relu", "mean-squared-error", "one-hot-encoding"]:
        assert f"term-{term}" in ids
