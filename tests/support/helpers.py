"""Small inline role profiles for unit tests (built directly, not parsed, so matching tests stand alone)."""

from __future__ import annotations

from matching.reference import OtherRole
from profiles.models import RoleProfile, SalaryBand, Section


def band(
    line: int, low: float | None, high: float | None, *, levels=(), scope="role", seed="r.txt", **kw
) -> SalaryBand:
    return SalaryBand(
        levels=tuple(levels), basis=kw.pop("basis", "base"), low=low, high=high,
        open_ended=kw.pop("open_ended", False), median=kw.pop("median", None), average=None, scope=scope,
        seed=seed, line=line, lines=kw.pop("lines", (line,)), section=("Salary Ranges (US Market, 2024)",),
        label=kw.pop("label", ""), text="", **kw,
    )  # fmt: skip


def profile(role: str, title: str, text: str, *, seed: str | None = None, bands=(), aliases=(), title_level=None):
    sections = (
        Section("Overview", 1, 1, text, ("Overview",)),
        Section("Essential Soft Skills", 1, 9, "communication teamwork empathy", ("Essential Soft Skills",)),
    )
    return RoleProfile(
        role=role, title=title, seed=seed or f"{role}.txt", content_hash=f"hash-{role}-{text}",
        sections=sections, skills=(), salary_bands=tuple(bands), title_level=title_level, aliases=tuple(aliases),
    )  # fmt: skip


PROFILES = [
    profile("ml-platform-engineer", "Machine Learning Platform Engineer",
            "Build the internal ML platform: feature store, model registry, Kubeflow pipelines, CI/CD for models."),
    profile("ml-engineer", "Machine Learning Engineer",
            "Train and evaluate models with PyTorch, feature engineering, experiments, ranking and recommendation."),
    profile("ml-infrastructure-engineer", "Machine Learning Infrastructure Engineer",
            "GPU clusters, distributed training infrastructure, CUDA kernels, inference serving performance."),
]  # fmt: skip

OTHERS = [
    OtherRole("Registered Nurse", ("Staff Nurse",), "Patient care, medication administration, hospital shifts, BLS."),
    OtherRole(
        "Frontend Engineer",
        ("React Developer",),
        "Build user interfaces in React and TypeScript, CSS, browsers.",
    ),
    OtherRole(
        "Account Executive",
        ("Sales Representative",),
        "Close deals, quota, pipeline, CRM, prospecting clients.",
    ),
]


def senior_ml(n: int, low: int) -> dict:
    """A senior ML engineer posting stating a yearly base range in USD (for the market band's tests)."""
    return {
        "id": f"mk-{n}",
        "title": "Senior Machine Learning Engineer",
        "location": "Austin, TX",
        "salary": {"min": low, "max": low + 40_000, "currency": "USD", "period": "year"},
        "description": "Train and deploy machine learning models: PyTorch, feature pipelines, model evaluation, "
        "experimentation, MLOps. 6+ years of experience building machine learning systems in production.",
    }
