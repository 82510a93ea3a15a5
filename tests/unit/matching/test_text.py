import html
import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from matching.text import html_to_text, plain_text
from matching.tokens import tokenize


def test_plain_text_passes_through():
    assert html_to_text("Build models.\nShip them.") == "Build models.\nShip them."


def test_html_becomes_text_with_block_breaks_and_entities():
    text = html_to_text("<p>Build <strong>models</strong> &amp; pipelines</p><ul><li>PyTorch</li><li>Kafka</li></ul>")
    assert "Build" in text and "models" in text and "& pipelines" in text
    assert "<" not in text
    assert text.splitlines()[-2:] == ["PyTorch", "Kafka"]


def test_entity_escaped_html_is_unescaped_then_stripped():
    assert html_to_text("&lt;p&gt;Scale &amp;amp; serve&lt;/p&gt;") == "Scale & serve"


def test_scripts_are_not_text():
    assert "alert" not in html_to_text("<div>Role<script>alert(1)</script></div>")


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0&;."), max_size=60))
def test_plain_text_is_tidy(text):
    tidy = plain_text(text)
    assert tidy == tidy.strip() and "  " not in tidy and "\n\n\n" not in tidy and "\r" not in tidy
    assert all(line == line.strip() for line in tidy.split("\n"))
    assert tokenize(tidy) == tokenize(plain_text(tidy))


def _reference_plain_text(text: str) -> str:
    """What plain_text means, written plainly: every line's words joined by one space, runs of blank lines
    made one, none at the ends."""
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


@given(st.text(alphabet=st.sampled_from("ab .\n\r\t\u00a0\u2028\x1c\u3000&;"), max_size=60) | st.text(max_size=30))
def test_plain_text_matches_its_plain_definition(text):
    assert plain_text(text) == _reference_plain_text(text)


def test_no_whitespace_beyond_what_plain_text_looks_for():
    assert not any(chr(c).isspace() for c in range(0x3001, sys.maxunicode + 1))
