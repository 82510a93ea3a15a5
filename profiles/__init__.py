"""Role profiles parsed from seed documents: `load_profiles(folder)`, `parse_role(text, source=...)`."""

from profiles.errors import ProfileError, ProfileNotFoundError, SeedFolderError, SeedFormatError
from profiles.loader import find_profile, load_profiles
from profiles.models import BASES, LEVELS, SCOPES, Basis, RoleProfile, SalaryBand, Scope, Section
from profiles.parser import parse_role

__all__ = [
    "BASES",
    "LEVELS",
    "SCOPES",
    "Basis",
    "ProfileError",
    "ProfileNotFoundError",
    "RoleProfile",
    "SalaryBand",
    "Scope",
    "Section",
    "SeedFolderError",
    "SeedFormatError",
    "find_profile",
    "load_profiles",
    "parse_role",
]
