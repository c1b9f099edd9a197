"""Skill names as text: how a typed name folds to a key ("JS", "Java Script" -> "javascript"), how
a new skill is displayed, and how a form field splits into names. Pure functions over strings:
this module must never touch the database, a firm or a session; the vocabulary that stores
skills per firm is portal/services/skills.py."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 80  # Skill.name / Skill.key / SkillAlias.key are String(80)

# Common variants, folded key -> canonical folded key. Only unambiguous ones: "TF" could be
# Terraform or TensorFlow, "PM" a project or a product manager, so they are left alone.
SYNONYMS: dict[str, str] = {
    "js": "javascript",
    "ecmascript": "javascript",
    "es6": "javascript",
    "vanillajs": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "golang": "go",
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "psql": "postgresql",
    "pgsql": "postgresql",
    "mssql": "sqlserver",
    "microsoftsqlserver": "sqlserver",
    "reactjs": "react",
    "vuejs": "vue",
    "node": "nodejs",
    "cpp": "c++",
    "cplusplus": "c++",
    "csharp": "c#",
    "net": "dotnet",
    "amazonwebservices": "aws",
    "googlecloud": "gcp",
    "googlecloudplatform": "gcp",
    "microsoftazure": "azure",
    "ml": "machinelearning",
    "ai": "artificialintelligence",
    "objc": "objectivec",
    "rubyonrails": "rails",
    "ror": "rails",
    "sklearn": "scikitlearn",
    "msexcel": "excel",
    "microsoftexcel": "excel",
    "gsuite": "googleworkspace",
}

# How a skill created from one of the canonical keys above is displayed.
CANONICAL_NAMES: dict[str, str] = {
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "python": "Python",
    "go": "Go",
    "kubernetes": "Kubernetes",
    "postgresql": "PostgreSQL",
    "sqlserver": "SQL Server",
    "react": "React",
    "vue": "Vue",
    "nodejs": "Node.js",
    "c++": "C++",
    "c#": "C#",
    "dotnet": ".NET",
    "aws": "AWS",
    "gcp": "Google Cloud",
    "azure": "Azure",
    "machinelearning": "Machine learning",
    "artificialintelligence": "Artificial intelligence",
    "objectivec": "Objective-C",
    "rails": "Ruby on Rails",
    "scikitlearn": "scikit-learn",
    "excel": "Excel",
    "googleworkspace": "Google Workspace",
}

_DROP = re.compile(r"[^\w+#]|_", re.UNICODE)  # keep letters, digits, "+" (C++) and "#" (C#)
_SPLIT = re.compile(r"[,;\n\r]+")


def fold(name: str) -> str:
    """A name with case, accents, spacing and punctuation folded (variants not yet mapped)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    if text.startswith("."):  # ".NET" -> "dotnet", but "Node.js" -> "nodejs"
        text = "dot" + text[1:]
    return _DROP.sub("", text)[:MAX_NAME]


def normalise(name: str) -> str:
    """The folded key of a skill name: case, accents, spacing and punctuation folded, and
    common variants mapped ("JS", "javascript", "Java Script" -> "javascript").
    An empty string means the name has nothing to match on."""
    key = fold(name)
    return SYNONYMS.get(key, key)


def display_name(name: str) -> str:
    """How a new skill is shown: the canonical spelling of a known variant, else the
    name as typed with its spacing tidied."""
    key = normalise(name)
    return CANONICAL_NAMES.get(key) or " ".join((name or "").split())[:MAX_NAME]


def parse_names(text: str | None) -> list[str]:
    """Split a form field or CSV cell ("Python, SQL; Django") into skill names."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]
