from hypothesis import given
from hypothesis import strategies as st

from matching.text import fold_phrases, html_to_text, plain_text, text_tokens, title_phrases, title_terms, tokenize


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


def test_domain_phrases_fold_to_one_token():
    assert text_tokens("Machine Learning Ops with K8s and a Feature Store") == [
        "mlops", "with", "kubernetes", "and", "a", "featurestore",
    ]  # fmt: skip


def test_phrases_fold_whatever_the_punctuation_between_their_words():
    assert text_tokens("ML-Ops, ml ops; CI/CD and back-end") == ["mlops", "mlops", "cicd", "and", "backend"]


def test_the_longest_phrase_wins_and_words_are_not_reused():
    assert fold_phrases(["machine", "learning", "operations", "data"]) == ["mlops", "data"]
    assert fold_phrases(["machine", "learning", "data", "pipeline"]) == ["ml", "datapipeline"]
    assert fold_phrases(["data", "ml", "model"]) == ["data", "ml", "model"]
    assert fold_phrases(["machine"]) == ["machine"]


@given(st.lists(st.sampled_from(["machine", "learning", "ops", "ml", "data", "pipeline", "a", "i", "sr", "x"])))
def test_folding_keeps_every_word_outside_a_phrase(tokens):
    folded = fold_phrases(tokens)
    assert len(folded) <= len(tokens)
    assert [t for t in folded if t == "x"] == [t for t in tokens if t == "x"]
    assert "sr" not in folded and ("senior" in folded) == ("sr" in tokens)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0&;."), max_size=60))
def test_plain_text_is_tidy(text):
    tidy = plain_text(text)
    assert tidy == tidy.strip() and "  " not in tidy and "\n\n\n" not in tidy and "\r" not in tidy
    assert all(line == line.strip() for line in tidy.split("\n"))
    assert tokenize(tidy) == tokenize(plain_text(tidy))


def test_title_drops_level_words_and_splits_at_punctuation():
    assert title_phrases("Sr. Software Engineer, Machine Learning - Remote") == [["engineer"], ["ml"]]
    assert title_phrases("Backend Engineer specializing in ML Infrastructure") == [
        ["backend", "engineer"],
        ["ml", "infrastructure"],
    ]


def test_title_synonyms_meet():
    assert title_terms("AI Engineer") == title_terms("Machine Learning Engineer") == ["ml", "engineer"]
    assert set(title_terms("MLOps Engineer")) >= {"ml", "platform", "engineer"}
    assert title_terms("Software Developers") == ["engineer"]
