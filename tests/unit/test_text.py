from matching.text import html_to_text, normalize, title_phrases, title_terms, tokenize


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
    assert tokenize(normalize("Machine Learning Ops with K8s and a Feature Store")) == [
        "mlops", "with", "kubernetes", "and", "a", "featurestore",
    ]  # fmt: skip


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
