"""A curated vocabulary of skills and technologies, and `find_skills` to spot them in a document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["SKILLS", "Skill", "find_skills"]


@dataclass(frozen=True)
class Skill:
    """A canonical skill name with the spellings that name it.

    Case-sensitive by default, because many names are also ordinary words ("Go", "Spark",
    "Swift", "Rust", "Snowflake"); distinctive names set `case_sensitive=False`.
    """

    name: str
    spellings: tuple[str, ...] = ()
    case_sensitive: bool = True

    def pattern(self) -> re.Pattern[str]:
        alternatives = sorted({self.name, *self.spellings}, key=len, reverse=True)
        # Letters, digits and the symbols of "C++"/"C#"/"CI/CD" on either side mean a longer word.
        body = "|".join(re.escape(spelling) for spelling in alternatives)
        pattern = rf"(?<![\w+#&/-])(?:{body})(?![\w+#&-])"
        if self.name in _SENTENCE_WORDS:
            pattern += r"(?!\s+[a-z])"  # "Go, or Rust" but not "Go beyond"
        return re.compile(pattern, 0 if self.case_sensitive else re.IGNORECASE)


_SENTENCE_WORDS = frozenset({"Go", "R", "C"})

SKILLS: tuple[Skill, ...] = (
    # languages
    Skill("Python", case_sensitive=False),
    Skill("Java"),
    Skill("Scala"),
    Skill("Go", ("Golang",)),
    Skill("Rust"),
    Skill("C++"),
    Skill("C#"),
    Skill("C"),
    Skill("R"),
    Skill("Swift"),
    Skill("JavaScript", ("Javascript",)),
    Skill("TypeScript", ("Typescript",)),
    Skill("Julia"),
    Skill("SQL", case_sensitive=False),
    Skill("NoSQL", case_sensitive=False),
    Skill("Bash"),
    # ML frameworks and libraries
    Skill("PyTorch", case_sensitive=False),
    Skill("TensorFlow", case_sensitive=False),
    Skill("Keras", case_sensitive=False),
    Skill("JAX", ("Jax",)),
    Skill("scikit-learn", ("sklearn", "Scikit-learn", "Scikit-Learn")),
    Skill("XGBoost", case_sensitive=False),
    Skill("LightGBM", case_sensitive=False),
    Skill("Pandas", ("pandas",)),
    Skill("NumPy", case_sensitive=False),
    Skill("Hugging Face", ("HuggingFace",)),
    Skill("LangChain", case_sensitive=False),
    Skill("LlamaIndex", case_sensitive=False),
    Skill("ONNX"),
    Skill("TensorRT"),
    Skill("Triton"),
    Skill("CUDA"),
    # data platforms
    Skill("Spark", ("Apache Spark", "PySpark", "Spark ML")),
    Skill("Hadoop", case_sensitive=False),
    Skill("Kafka", ("Apache Kafka",), case_sensitive=False),
    Skill("Flink", ("Apache Flink",)),
    Skill("Beam", ("Apache Beam",)),
    Skill("Hive", ("Apache Hive",)),
    Skill("Airflow", ("Apache Airflow",)),
    Skill("Dagster"),
    Skill("Prefect"),
    Skill("Ray"),
    Skill("Dask"),
    Skill("Databricks", case_sensitive=False),
    Skill("Snowflake"),
    Skill("BigQuery", case_sensitive=False),
    Skill("Redshift"),
    Skill("dbt"),
    Skill("PostgreSQL", ("Postgres",)),
    Skill("MySQL"),
    Skill("MongoDB"),
    Skill("Cassandra"),
    Skill("Redis"),
    Skill("Elasticsearch", case_sensitive=False),
    Skill("MinIO", case_sensitive=False),
    Skill("vector databases", ("vector database", "vector stores", "vector store"), case_sensitive=False),
    Skill("feature stores", ("feature store", "Feature Store", "Feature Stores"), case_sensitive=False),
    # MLOps tooling
    Skill("MLflow", case_sensitive=False),
    Skill("Kubeflow", case_sensitive=False),
    Skill("DVC"),
    Skill("Feast"),
    Skill("SageMaker", ("Amazon SageMaker",), case_sensitive=False),
    Skill("Vertex AI"),
    Skill("Weights & Biases", ("W&B",)),
    # cloud, containers, infrastructure
    Skill("AWS", ("Amazon Web Services",)),
    Skill("GCP", ("Google Cloud", "Google Cloud Platform")),
    Skill("Azure", ("Microsoft Azure",)),
    Skill("Kubernetes", ("K8s",), case_sensitive=False),
    Skill("Docker", case_sensitive=False),
    Skill("Helm"),
    Skill("Terraform", case_sensitive=False),
    Skill("Ansible"),
    Skill("Infrastructure as Code", ("IaC", "infrastructure as code", "infrastructure-as-code")),
    Skill("Linux"),
    Skill("Git"),
    Skill("GitHub Actions"),
    Skill("GitLab CI"),
    Skill("Jenkins"),
    Skill("CI/CD"),
    Skill("Prometheus"),
    Skill("Grafana"),
    Skill("Datadog"),
    Skill("New Relic"),
    Skill("gRPC"),
    # practices named as skills
    Skill("MLOps"),
    Skill("DevOps"),
)


@cache
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((skill.name, skill.pattern()) for skill in SKILLS)


def find_skills(text: str) -> tuple[str, ...]:
    """Canonical names of the vocabulary skills named in `text`, in order of first appearance."""
    first: dict[str, int] = {}
    for name, pattern in _compiled():
        match = pattern.search(text)
        if match:
            first[name] = match.start()
    return tuple(sorted(first, key=lambda name: (first[name], name)))
