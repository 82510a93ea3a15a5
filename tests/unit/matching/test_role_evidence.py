"""The domain gate and title-word specialties: a title word alone is no match, siblings told apart by their work."""

import pytest
from helpers import OTHERS, PROFILES, profile

from matching import ModelError, RoleMatcher, posting_from_dict
from matching.reference import OtherRole, Specialty, load_specialties, parse_specialties
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


def test_evidence_of_work_a_role_does_not_name_counts_against_it():
    # Full infrastructure evidence (all five of its terms): the role without that specialty falls by half the
    # weight, the role with it rises by as much.
    text = "GPU cluster, CUDA kernels, inference, machine learning."
    title = "Machine Learning Engineer"
    plain = {r.role: r.score for r in fitted(specialty_weight=0.0, specialty_terms=5).rank(post(title, text)).roles}
    moved = {r.role: r.score for r in fitted(specialty_weight=0.2, specialty_terms=5).rank(post(title, text)).roles}
    assert moved["ml-engineer"] == pytest.approx(plain["ml-engineer"] - 0.1, abs=1e-6)
    assert moved["ml-infrastructure-engineer"] == pytest.approx(plain["ml-infrastructure-engineer"] + 0.1, abs=1e-6)


def test_the_ranking_shows_every_specialty_and_whether_the_top_role_carries_it():
    infra = fitted(specialty_terms=5).rank(
        post("Machine Learning Engineer", "GPU cluster, CUDA kernels, inference. ML.")
    )
    assert infra.best.role == "ml-infrastructure-engineer"
    assert infra.specialties == (("infrastructure", 1.0, True),)
    model = fitted(specialty_terms=5).rank(
        post("Machine Learning Engineer", "Train ranking models with GPU inference.")
    )
    assert model.best.role == "ml-engineer"
    assert model.specialties == (("infrastructure", 0.4, False),)


def test_background_jobs_have_specialties_too():
    # A backend job that names ML in passing stays the background's "Backend Developer" however much backend
    # work its text shows: that evidence lifts the background job as much as it lifts our backend role.
    backend = profile("ml-backend", "Backend Engineer, ML", "Backend services for ML models: APIs, feature store.")
    developer = OtherRole("Backend Developer", ("API Developer",), "Build REST APIs, microservices and databases.")
    others = [*OTHERS, developer]
    text = "Build REST APIs, gRPC microservices, Kafka, Postgres, Redis and databases. Machine learning models, ML."
    specialties = {"backend": ("api", "apis", "microservices", "grpc", "kafka", "postgres", "redis")}
    rankings = [
        RoleMatcher(specialty_weight=weight)
        .fit([*PROFILES, backend], others, specialties)
        .rank(post("Senior Backend Engineer", text))
        for weight in (0.0, 0.3)
    ]
    for ranking in rankings:
        assert ranking.best.role == "ml-backend"
        assert not ranking.matched and ranking.other_job == "Backend Developer"
    assert rankings[1].other_score == pytest.approx(rankings[0].other_score + 0.15, abs=1e-6)


def test_domain_terms_are_the_word_and_its_disciplines_not_bare_synonyms():
    assert domain_terms("ml")[0] == "ml"
    assert {"mlops", "llm", "nlp", "deeplearning"} <= set(domain_terms("ml"))
    assert "ai" not in domain_terms("ml")


def test_domain_tools_name_the_domain():
    # A GPU-kernel posting that writes "PyTorch" and "vLLM" but never "machine learning" is in the domain.
    assert {"pytorch", "vllm", "featurestore"} <= set(domain_terms("ml"))
    text = "Write CUDA kernels for PyTorch; serve models with vLLM on the GPU cluster."
    assert fitted().rank(post("GPU Kernel Engineer", text)).domain_named
    assert not fitted().rank(post("GPU Kernel Engineer", "Write CUDA kernels for games on the GPU.")).domain_named


def test_domain_techniques_name_the_domain():
    # Training-infrastructure postings write "pretraining" and "reinforcement learning", not "machine learning".
    assert {"pretraining", "reinforcementlearning", "neuralnetwork"} <= set(domain_terms("ml"))
    text = "Scale large-model pre-training and reinforcement learning runs on the accelerator cluster."
    assert fitted().rank(post("Distributed Training Engineer", text)).domain_named
    text = "Scale the training of new hires and run the learning programme on the cluster of offices."
    assert not fitted().rank(post("Distributed Training Engineer", text)).domain_named


def test_packaged_specialties_parse():
    words, digest = load_specialties()
    assert {"infrastructure", "backend", "architect", "platform"} <= set(words)
    assert "featurestore" in words["backend"].terms  # "feature store" is folded to one term
    assert {"gpu", "inference", "modelserving"} <= set(words["infrastructure"].title_words)
    assert len(digest) == 64


def test_title_words_of_a_specialty_name_the_roles_that_carry_it():
    # "Inference Engineer" says no word of any role's title; the infrastructure block's title words make it
    # a name of the infrastructure role (its own job word added), and of no other.
    text = "Serve our machine learning models at low latency; ML inference on GPUs."
    plain = fitted().rank(post("Inference Engineer", text))
    infrastructure = Specialty(SPECIALTIES["infrastructure"], ("gpu", "inference"))
    named = RoleMatcher().fit(PROFILES, OTHERS, {**SPECIALTIES, "infrastructure": infrastructure})
    ranking = named.rank(post("Inference Engineer", text))
    assert ranking.best.role == "ml-infrastructure-engineer"
    scores = {r.role: r.score for r in ranking.roles}
    assert scores["ml-infrastructure-engineer"] > {r.role: r.score for r in plain.roles}["ml-infrastructure-engineer"]
    assert scores["ml-engineer"] < scores["ml-infrastructure-engineer"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpu; cuda", "expected a '## title word' line first"),
        ("## two words\ngpu", "a title word must be one word"),
        ("## infrastructure\nmulti node", "is not one term"),
        ("## infrastructure\ntitle: machine room\ngpu", "is not one title word"),
        ("## infrastructure\n# only a comment", "no terms for 'infrastructure'"),
        ("# nothing", "no '## title word' blocks"),
    ],
)
def test_bad_specialties_file_names_the_line(text, message):
    with pytest.raises(ModelError, match=message):
        parse_specialties(text, source="specialties.txt")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"infrastructure": "gpu"}, "not one string"),
        ({"infrastructure": Specialty(("gpu",), "inference")}, "not one string"),
        ({"infrastructure": (("gpu",), ("inference",))}, "terms must be single terms"),
        ({"infrastructure": ("multi node",)}, "terms must be single terms"),
        ({"infrastructure": Specialty(("gpu",), ("senior",))}, "title words must be single words"),
        ({"two words": ("gpu",)}, "a title word must be one word"),
    ],
)
def test_specialties_given_in_code_are_held_to_the_files_rules(given, message):
    # A level word as a title word would name a role plain "engineer"; a string would be read letter by letter.
    with pytest.raises(ModelError, match=message):
        RoleMatcher().fit(PROFILES, OTHERS, given)


def test_the_verdict_is_taken_on_the_scores_the_specialties_moved():
    # A plain "Software Engineer" title whose work is all GPU kernels and inference: without the specialties
    # the common job's title wins; with them the infrastructure role rises and the common job, which has no
    # infrastructure in its names, falls, by as much each.
    others = [
        *OTHERS,
        OtherRole("Software Engineer", ("Software Developer",), "Build features: APIs, databases, tests."),
    ]
    posting = post(
        "Software Engineer", "CUDA kernels and inference on the GPU cluster for our machine learning models; ML."
    )
    plain, moved = (
        RoleMatcher(specialty_weight=weight, specialty_terms=5).fit(PROFILES, others, SPECIALTIES).rank(posting)
        for weight in (0.0, 0.3)
    )
    assert not plain.matched and plain.other_job == "Software Engineer"
    assert moved.matched and moved.best.role == "ml-infrastructure-engineer" and moved.other_job is None
    assert moved.best.score == pytest.approx(plain.best.score + 0.15, abs=1e-6)
    assert moved.other_score == pytest.approx(plain.other_score - 0.15, abs=1e-6)


def test_a_bare_ai_in_the_title_does_not_get_the_family_margin():
    # "AI" in a title is also said of teams and products ("Data Engineer (AI team)"): only the domain's own
    # words in the title give the family margin.
    others = [*OTHERS, OtherRole("Data Engineer", (), "ETL pipelines, SQL, the data warehouse, dbt, Airflow.")]
    text = "ETL pipelines and SQL to train machine learning models for our ML ranking."
    matcher = RoleMatcher(family_margin=-0.6, family_mentions=99).fit(PROFILES, others, SPECIALTIES)
    assert not matcher.rank(post("Data Engineer (AI)", text)).matched
    assert matcher.rank(post("Data Engineer (ML)", text)).matched


def test_a_text_all_about_the_domain_gets_the_family_margin():
    # A generic title whose work is all ML is measured against the common jobs with the family's margin.
    others = [*OTHERS, OtherRole("Backend Engineer", ("Backend Developer",), "APIs, services, databases, requests.")]
    posting = post("Backend Engineer", "Machine learning serving. ML models. ML features. MLOps. LLM inference.")
    params = {"family_margin": -0.6, "threshold": 0.2}
    assert RoleMatcher(family_mentions=5, **params).fit(PROFILES, others, SPECIALTIES).rank(posting).matched
    assert not RoleMatcher(family_mentions=99, **params).fit(PROFILES, others, SPECIALTIES).rank(posting).matched


def test_a_title_in_the_domains_own_words_lowers_the_bar_for_a_match():
    # "ML Modeller" is one of the family's jobs more often than not; a text that merely says "machine learning"
    # often (a course, a research post) keeps the usual bar.
    text = "Build and validate models for pricing and risk."
    lenient = {"threshold": 0.95, "family_threshold": 0.05, "margin": -1.0, "family_margin": -1.0}
    assert fitted(**lenient).rank(post("ML Modeller", text)).matched
    assert not fitted(**{**lenient, "family_threshold": 0.95}).rank(post("ML Modeller", text)).matched
    mentions = "Machine learning for machine learning with machine learning. " * 4 + text
    assert not fitted(family_mentions=1, **lenient).rank(post("Modeller", mentions)).matched
