"""Matching: rank role profiles for job postings, with a verdict, seniority, and expected and stated pay."""

from .classify import SCHEMA_VERSION, Classifier, rejected_result
from .errors import MatchingError, ModelError, PostingError
from .model import Ranking, RoleMatcher, RoleScore
from .posting import Posting, posting_from_dict, posting_from_text

__all__ = [
    "SCHEMA_VERSION",
    "Classifier",
    "MatchingError",
    "ModelError",
    "Posting",
    "PostingError",
    "Ranking",
    "RoleMatcher",
    "RoleScore",
    "posting_from_dict",
    "posting_from_text",
    "rejected_result",
]
