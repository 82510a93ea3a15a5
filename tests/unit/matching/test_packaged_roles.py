"""The real seeds with the packaged background and specialties: one written posting per kind of job, ours or a
near miss. They hold the classes of postings the matcher is tuned on, not any eval posting."""

from pathlib import Path

import pytest

from matching import RoleMatcher, posting_from_dict
from profiles import load_profiles

SEEDS = Path(__file__).resolve().parents[3] / "seeds"

CASES = [
    ("000", "GPU Kernel Engineer", "Write CUDA and Triton kernels for PyTorch training and inference; profile "
     "NCCL collectives on our 4,000-GPU cluster; raise accelerator utilization of distributed training jobs."),
    ("000", "Staff Software Engineer, Training Infrastructure", "Scale distributed training of our ML models "
     "and LLMs across GPU clusters: Slurm and Kubernetes scheduling, NCCL and InfiniBand, checkpointing, fault "
     "tolerance, and the utilization of thousands of accelerators."),
    ("001", "Machine Learning Engineer", "Train, evaluate and ship ranking and recommendation models: feature "
     "engineering, experiments, A/B tests, offline metrics, PyTorch and XGBoost, working with product teams."),
    ("002", "Principal ML Infrastructure Architect", "Own the architecture of our machine learning platform: "
     "reference designs for training and serving on GPU clusters, standards, governance and the roadmap for "
     "ML infrastructure across the company."),
    ("003", "Backend Software Engineer, Feature Store", "Build the backend services of our ML feature store: "
     "Kafka and Flink ingestion, online serving APIs in Go, Redis and Cassandra storage, batch pipelines in "
     "Spark that feed training data to machine learning models."),
    ("004", "MLOps Engineer", "Run our internal ML platform: Kubeflow pipelines, MLflow model registry, CI/CD "
     "for models, SageMaker endpoints and monitoring, self-service tooling for data scientists."),
    (None, "Data Architect", "Design the enterprise data warehouse and lakehouse: data models, dimensional "
     "modelling, data governance, Databricks and Snowflake, master data management, reporting for finance."),
    (None, "Senior Backend Developer", "REST APIs and microservices in Java and Spring Boot for our payments "
     "product; PostgreSQL, Kafka, Redis; code reviews and on-call. Our company uses AI in its products."),
    (None, "Assistant Professor in Data and Artificial Intelligence", "Teach undergraduate and postgraduate "
     "modules in machine learning, supervise PhD students, publish research and win grants; a PhD is required."),
    (None, "Business Strategist, AI Foundation Models", "Build financial models of AI adoption and cost, "
     "forecasts and business cases, present strategy to executives; inference cost and GPU economics."),
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher():
    return RoleMatcher().fit(load_profiles(SEEDS))


@pytest.mark.parametrize(("role", "title", "text"), CASES, ids=[c[1] for c in CASES])
def test_each_kind_of_job_gets_its_role_or_none(matcher, role, title, text):
    ranking = matcher.rank(posting_from_dict({"id": "p", "title": title, "description": text}))
    if role is None:
        assert not ranking.matched, ranking.best
    else:
        assert ranking.matched and ranking.best.seed.startswith(role), ranking.best
