"""Who may read what: access levels, the roles that read them, and the SQL that enforces it.

Every document has a level and a department. `HOSPITAL_WIDE` (全院) is the department of
knowledge that belongs to no one department.

| role            | public | department               | restricted               |
|-----------------|--------|--------------------------|--------------------------|
| clinician       | all    | own department only      | never                    |
| department_lead | all    | own department only      | own department only      |
| kb_editor       | all    | every department         | every department         |
| admin           | all    | every department         | every department         |

Editors and administrators read everything because they curate and publish it. The rule is
applied inside the store's SQL (`access_clause`), so a chunk a role may not read is never
selected, ranked or returned. Bundles are cumulative per level (`public` ⊂ `department` ⊂
`restricted`) and `bundle_level` names the smallest one that holds all a role may read, so a
clinician's workstation never receives restricted text at all.

FIXME(kb-access): a department lead's `restricted` bundle carries every department's
restricted documents (the store shows only their own); per-department restricted bundles would
keep the others off the disk as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.errors import BadFilter, UnknownRole

LEVELS: tuple[str, ...] = ("public", "department", "restricted")
HOSPITAL_WIDE = "全院"
ROLES: tuple[str, ...] = ("clinician", "department_lead", "kb_editor", "admin")
MAX_DEPARTMENT_CHARS = 40


@dataclass(frozen=True)
class RoleRule:
    """Levels a role reads in every department, and levels it reads in its own only."""

    everywhere: tuple[str, ...]
    own_department: tuple[str, ...] = ()


ROLE_RULES: dict[str, RoleRule] = {
    "clinician": RoleRule(everywhere=("public",), own_department=("department",)),
    "department_lead": RoleRule(
        everywhere=("public",), own_department=("department", "restricted")
    ),
    "kb_editor": RoleRule(everywhere=LEVELS),
    "admin": RoleRule(everywhere=LEVELS),
}


@dataclass(frozen=True)
class Reader:
    """Who is reading: this workstation's role and department."""

    role: str
    department: str = HOSPITAL_WIDE

    def __post_init__(self) -> None:
        if self.role not in ROLE_RULES:
            raise UnknownRole(
                f"unknown role {self.role!r}; the roles are {', '.join(ROLES)} "
                "(set 'role' in the settings or by policy)"
            )

    @property
    def rule(self) -> RoleRule:
        return ROLE_RULES[self.role]

    def may_read(self, level: str, department: str) -> bool:
        if level in self.rule.everywhere:
            return True
        return level in self.rule.own_department and department == self.department

    def readable_levels(self) -> tuple[str, ...]:
        wanted = set(self.rule.everywhere) | set(self.rule.own_department)
        return tuple(level for level in LEVELS if level in wanted)


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise BadFilter(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    return level


def check_department(department: str) -> str:
    cleaned = department.strip()
    if not cleaned:
        raise BadFilter("department is empty; give a department name such as 急诊科")
    if len(cleaned) > MAX_DEPARTMENT_CHARS:
        raise BadFilter(f"department has {len(cleaned)} characters; at most "
                        f"{MAX_DEPARTMENT_CHARS}")
    return cleaned


def check_classification(level: str, department: str) -> tuple[str, str]:
    """A document's level and department, validated together."""
    check_level(level)
    department = check_department(department)
    if level != "public" and department == HOSPITAL_WIDE:
        raise BadFilter(
            f"level {level!r} is read per department, so it needs --department "
            f"(a department other than {HOSPITAL_WIDE})"
        )
    return level, department


def access_clause(reader: Reader, alias: str = "d") -> tuple[str, list[str]]:
    """An SQL condition over the documents table `alias` that holds only readable rows."""
    parts: list[str] = []
    params: list[str] = []
    if reader.rule.everywhere:
        marks = ", ".join("?" for _ in reader.rule.everywhere)
        parts.append(f"{alias}.level IN ({marks})")
        params.extend(reader.rule.everywhere)
    if reader.rule.own_department:
        marks = ", ".join("?" for _ in reader.rule.own_department)
        parts.append(f"({alias}.level IN ({marks}) AND {alias}.department = ?)")
        params.extend(reader.rule.own_department)
        params.append(reader.department)
    return "(" + " OR ".join(parts) + ")", params


def bundle_level(role: str) -> str:
    """The smallest cumulative bundle that holds everything `role` may read."""
    readable = Reader(role).readable_levels()
    return readable[-1]


def bundle_levels_upto(level: str) -> tuple[str, ...]:
    """The levels a cumulative bundle of `level` contains."""
    check_level(level)
    return LEVELS[: LEVELS.index(level) + 1]
