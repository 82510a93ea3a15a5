"""The real seeds with the packaged background and specialties: one written posting per kind of job, ours or a
near miss, checkable by reading the role documents' titles and the background's (none is an eval posting)."""

from pathlib import Path

import pytest

from matching import RoleMatcher, posting_from_dict
from profiles import load_profiles

SEEDS = Path(__file__).resolve().parents[3] / "seeds"

CASES = [
    ("000", "GPU Kernel Engineer",
     "Write CUDA and Triton kernels for PyTorch training and inference; profile NCCL collectives on our 4,000-GPU "
     "cluster; raise accelerator utilization of distributed training jobs."),
    ("000", "Inference Engineer",
     "Own the runtime that serves our LLMs: vLLM and TensorRT, batching, KV-cache memory, GPU scheduling, latency "
     "and throughput for machine learning models in production."),
    ("000", "Staff Software Engineer, Training Infrastructure",
     "Scale distributed training of our ML models and LLMs across GPU clusters: Slurm and Kubernetes scheduling, "
     "NCCL and InfiniBand, checkpointing, fault tolerance, and the utilization of thousands of accelerators."),
    ("001", "Machine Learning Engineer",
     "Train, evaluate and ship ranking and recommendation models: feature engineering, experiments, A/B tests, "
     "offline metrics, PyTorch and XGBoost, working with product teams."),
    ("002", "Principal ML Infrastructure Architect",
     "Own the architecture of our machine learning platform: reference designs for training and serving on GPU "
     "clusters, standards, governance and the roadmap for ML infrastructure across the company."),
    ("003", "Backend Software Engineer, Feature Store",
     "Build the backend services of our ML feature store: Kafka and Flink ingestion, online serving APIs in Go, "
     "Redis and Cassandra storage, batch pipelines in Spark that feed training data to machine learning models."),
    ("004", "MLOps Engineer",
     "Run our internal ML platform: Kubeflow pipelines, MLflow model registry, CI/CD for models, SageMaker "
     "endpoints and monitoring, self-service tooling for data scientists."),
    ("Data Architect", "Data Architect",
     "Design the enterprise data warehouse and lakehouse: data models, dimensional modelling, data governance, "
     "Databricks and Snowflake, master data management, reporting for finance."),
    ("Backend Software Engineer", "Senior Backend Developer",
     "REST APIs and microservices in Java and Spring Boot for our payments product; PostgreSQL, Kafka, Redis; "
     "code reviews and on-call. Our company uses AI in its products."),
    ("University Lecturer", "Assistant Professor in Data and Artificial Intelligence",
     "Teach undergraduate and postgraduate modules in machine learning, supervise PhD students, publish research "
     "and win grants; a PhD is required."),
    ("Hardware Architect", "Senior AI Hardware Architect",
     "Define the microarchitecture of our next AI accelerator: performance models of training and inference "
     "workloads, cache and memory hierarchy, HBM, interconnect, power and area; specifications for the RTL teams."),
    ("Technology Consultant", "Business Strategist, AI Foundation Models",
     "Build financial models of AI adoption and cost, forecasts and business cases, present strategy to "
     "executives; inference cost and GPU economics."),
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher():
    return RoleMatcher().fit(load_profiles(SEEDS))


def test_the_family_is_ml(matcher):
    # Found at fit from the documents' titles and the background's names (not from the names the specialties
    # add): a background alias that says "AI" too often would silently turn the domain rules off.
    assert matcher.family_terms_ == ("ml",)


@pytest.mark.parametrize(("expected", "title", "text"), CASES, ids=[c[1] for c in CASES])
def test_each_kind_of_job_gets_its_role_or_its_common_job(matcher, expected, title, text):
    # `expected` is a seed id prefix for our roles, else the common job the posting is closest to.
    ranking = matcher.rank(posting_from_dict({"id": "p", "title": title, "description": text}))
    if expected[:3].isdigit():
        assert ranking.matched and ranking.best.seed.startswith(expected), ranking.best
    else:
        assert not ranking.matched and ranking.other_job == expected, (ranking.best, ranking.other_job)


def test_words_every_posting_uses_are_no_evidence_of_platform_work(matcher):
    # "Our platform", "tooling" and "orchestration" are said of any product and any work; MLflow is not.
    def platform_evidence(text):
        ranking = matcher.rank(posting_from_dict({"id": "p", "title": "Engineer", "description": text}))
        return {word: evidence for word, evidence, _ in ranking.specialties}["platform"]

    text = "Our platform serves millions. Build tooling and container orchestration for the platforms we run."
    assert platform_evidence(text) == 0
    assert platform_evidence(text + " Run MLflow and Kubeflow pipelines with a model registry.") == pytest.approx(3 / 6)
