"""The glossary audit's matching rules, without a build: which words of a chapter's prose
count as a use of a glossary term (conf/_ext/dlguide_glossary_audit.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "conf" / "_ext"))

from dlguide_glossary import norm  # noqa: E402
from dlguide_glossary_audit import term_matcher  # noqa: E402
from dlguide_glossary_letters import initial  # noqa: E402

# (name, entry key) as the glossary gives them; "LSTM" is a second name of its entry.
GLOSSARY = [
    ("batch", "batch"),
    ("probability", "probability"),
    ("loss", "loss"),
    ("cross-entropy", "cross-entropy"),
    ("gradient", "gradient"),
    ("gradient descent", "gradient descent"),
    ("stochastic gradient descent", "stochastic gradient descent"),
    ("ReLU", "relu"),
    ("Adam", "adam"),
    ("long short-term memory", "long short-term memory"),
    ("LSTM", "long short-term memory"),
]
find = term_matcher(GLOSSARY)


def found(text: str) -> list[tuple[str, str]]:
    """[(entry key, the words found)] in the order they occur."""
    return [(key, words) for key, words, _start in find(text)]


@pytest.mark.parametrize("text, words", [
    ("one batch", "batch"),
    ("many batches", "batches"),                # -es
    ("two losses", "losses"),
    ("a lossy codec", None),                    # another word
    ("class probabilities", "probabilities"),   # y -> ies
    ("a probabilitys", None),
])
def test_plural_forms_count(text, words):
    assert [w for _key, w in found(text)] == ([words] if words else [])


@pytest.mark.parametrize("text", ["cross-entropy", "cross entropy", "cross\nentropy",
                                  "gradient-descent", "gradient  descent"])
def test_a_hyphen_and_white_space_are_interchangeable(text):
    assert len(found(text)) == 1


@pytest.mark.parametrize("text, key", [
    ("Gradient Descent", "gradient descent"),   # a lowercase term: any case
    ("CROSS-ENTROPY", "cross-entropy"),
    ("ReLU", "relu"),                           # capitals must match...
    ("reLU", "relu"),                           # ...except the first letter
    ("relu", None),
    ("RELU", None),
    ("adam", "adam"),
    ("ADAM", None),
])
def test_case(text, key):
    assert [k for k, _words in found(text)] == ([key] if key else [])


def test_the_longest_term_wins():
    """Where names overlap, the longest is the one occurrence (whatever the order of the
    glossary: "gradient" is listed before "gradient descent" above)."""
    assert found("We use stochastic gradient descent here.") == [
        ("stochastic gradient descent", "stochastic gradient descent")]
    assert found("plain gradient descent") == [("gradient descent", "gradient descent")]
    assert found("the gradient descends") == [("gradient", "gradient")]


@pytest.mark.parametrize("text", ["a mini-batch", "batch-norm", "the batchnorm",
                                  "subbatch", "a self-ReLU-like unit", "LSTM_cell"])
def test_only_whole_words_outside_compounds(text):
    assert found(text) == []


def test_every_name_of_an_entry_finds_that_entry():
    assert found("An LSTM, two LSTMs, a long short-term memory.") == [
        ("long short-term memory", "LSTM"), ("long short-term memory", "LSTMs"),
        ("long short-term memory", "long short-term memory")]
    assert found("an lstm") == []               # an abbreviation keeps its capitals


def test_offsets_point_at_the_words_found():
    text = "First the loss, then\nthe batches."
    assert [(text[start:start + len(words)], words) for _key, words, start in find(text)] \
        == [("loss", "loss"), ("batches", "batches")]


def test_no_terms_find_nothing():
    assert term_matcher([])("any text at all") == []


def test_a_term_key_ignores_case_and_spacing():
    assert norm("  Long  short-term\nMemory ") == "long short-term memory"


@pytest.mark.parametrize("term, letter", [("attention", "A"), ("ReLU", "R"),
                                          ("Élan", "E"), ("2D convolution", "#")])
def test_a_term_is_listed_under_its_initial_letter(term, letter):
    assert initial(term) == letter
