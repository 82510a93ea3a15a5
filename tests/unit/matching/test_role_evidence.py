"""The domain gate and title-word specialties: a title word alone is no match, siblings told apart by their work."""

import pytest
from helpers import OTHERS, PROFILES, profile

from matching import ModelError, RoleMatcher, posting_from_dict
from matching.reference import OtherRole, load_specialties, parse_specialties
from matching.tokens import domain_terms

SPECIALTIES = {
    "infrastructure": ("gpu", "cuda", "cluster", "inference", "kernels"),
    "architect": ("architecture", "blueprint", "governance"),
}
ARCHITECT = profile(
    "ml-architect",
    "ML Infrastructure Architect",
    "Own the architecture of the ML platform: reference designs for training and serving, governance.",
)


def fitted(profiles=PROFILES, **params):
    return RoleMatcher(**params).fit(profiles, OTHERS, SPECIALTIES)


def post(title, description=""):
    return posting_from_dict({"id": "p", "title": title, "description": description})


def test_a_title_word_alone_is_no_match():
    matcher = fitted([*PROFILES, ARCHITECT])
    data_architect = post("Data Architect", "Own the architecture of the data warehouse, data models, governance.")
    ranking = matcher.rank(data_architect)
    assert ranking.best.role == "ml-architect"
    assert not ranking.matched
    # The same posting naming the roles' domain twice in its text is in scope again.
    ml = post("Data Architect", data_architect.description + " Machine learning training data; ML serving.")
    assert matcher.rank(ml).matched


def test_domain_gate_can_be_loosened():
    posting = post("Data Architect", "Own the architecture of the warehouse, governance, one ML model.")
    matcher = fitted([*PROFILES, ARCHITECT], domain_mentions=1)
    assert matcher.rank(posting).best.role == "ml-architect"
    assert (
        fitted([*PROFILES, ARCHITECT], domain_mentions=2).rank(posting).roles[0].score
        < matcher.rank(posting).roles[0].score
    )


def test_a_role_without_the_domain_in_its_names_is_not_gated():
    streaming = profile("streaming", "Streaming Data Engineer", "Kafka, Flink, event streams, exactly-once delivery.")
    ranking = fitted([*PROFILES, streaming]).rank(post("Streaming Data Engineer", "Kafka and Flink pipelines."))
    assert ranking.matched and ranking.best.role == "streaming"


def test_infrastructure_work_goes_to_the_infrastructure_sibling():
    text = "Run the GPU cluster, CUDA kernels, inference, schedule training jobs on the cluster."
    with_specialty = fitted().rank(post("Machine Learning Engineer", text))
    assert with_specialty.best.role == "ml-infrastructure-engineer"
    model_work = fitted().rank(post("Machine Learning Engineer", "Train ranking models, features, experiments."))
    assert model_work.best.role == "ml-engineer"


def test_specialty_weight_zero_leaves_the_similarity_order():
    text = "GPU cluster, CUDA, inference."
    a = fitted(specialty_weight=0.0).rank(post("Machine Learning Engineer", text))
    b = fitted(specialty_weight=0.3).rank(post("Machine Learning Engineer", text))
    infra = {r.role: r.score for r in b.roles}["ml-infrastructure-engineer"]
    assert infra > {r.role: r.score for r in a.roles}["ml-infrastructure-engineer"]


def test_domain_terms_are_the_word_and_its_disciplines_not_bare_synonyms():
    assert domain_terms("ml")[0] == "ml"
    assert {"mlops", "llm", "nlp", "deeplearning"} <= set(domain_terms("ml"))
    assert "ai" not in domain_terms("ml")


def test_packaged_specialties_parse():
    words, digest = load_specialties()
    assert {"infrastructure", "backend", "architect", "platform"} <= set(words)
    assert "featurestore" in words["backend"]  # "feature store" is folded to one term
    assert len(digest) == 64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpu; cuda", "expected a '## title word' line first"),
        ("## two words\ngpu", "a title word must be one word"),
        ("## infrastructure\nmulti node", "is not one term"),
        ("## infrastructure\n# only a comment", "no terms for 'infrastructure'"),
        ("# nothing", "no '## title word' blocks"),
    ],
)
def test_bad_specialties_file_names_the_line(text, message):
    with pytest.raises(ModelError, match=message):
        parse_specialties(text, source="specialties.txt")


def test_a_text_all_about_the_domain_gets_the_family_margin():
    # A generic title whose work is all ML is measured against the common jobs with the family's margin.
    others = [*OTHERS, OtherRole("Backend Engineer", ("Backend Developer",), "APIs, services, databases, requests.")]
    posting = post("Backend Engineer", "Machine learning serving. ML models. ML features. MLOps. LLM inference.")
    params = {"family_margin": -0.6, "threshold": 0.2}
    assert RoleMatcher(family_mentions=5, **params).fit(PROFILES, others, SPECIALTIES).rank(posting).matched
    assert not RoleMatcher(family_mentions=99, **params).fit(PROFILES, others, SPECIALTIES).rank(posting).matched
