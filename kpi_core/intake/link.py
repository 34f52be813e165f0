"""Several files as one `source` view: the shared key, which file is the base, and how each other file relates.

The relation is read from key uniqueness, never assumed:
- many_to_one: the other file's key is unique, the base repeats it (deals + contacts: each deal gets its
  contact's owner or channel; a contact without deals is not an error);
- one_to_one: unique on both sides;
- bookings: a file without any stage or flag column whose rows are outcomes (bookings, orders, contracts,
  Olist's closed deals): an id it holds is won, on its date, for its amount; several rows per id are added up.
The base is the file that holds outcomes (a stage or won-flag column), the larger one on a tie.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import SourceFile
from kpi_core.intake.findings import Link
from kpi_core.intake.roles import detect_roles, roles_from_header
from kpi_core.intake.tables import file_row, quote_ident
from kpi_core.messages import Names
from kpi_core.sql import (
    bookings_by_key,
    create_source_view,
    execute,
    first_rows,
    first_rows_per_key,
    joined_source,
    key_overlap,
    key_stats,
    left_join_on_key,
    orphan_rows,
    repeated_key_rows,
    rows_with_rowid,
    table_columns,
    with_parent_leads,
)

_OUTCOME_ROLES = frozenset({"stage", "won_flag", "lifecycle", "closed_flag"})
SAMPLE_ROWS = 2000
UNIQUE_SHARE = 0.95  # a key with at most 5 % repeats is unique (the repeats are listed as duplicates)


@dataclass
class LinkedSources:
    """The joined view's columns, which file each came from, the rejects of linking and the relations found."""

    key: str
    base: int
    columns: list[str]
    column_file: dict[str, int]
    rejects: list[tuple[int, int, str, dict]] = field(default_factory=list)  # (file index, row id, code, params)
    links: list[Link] = field(default_factory=list)
    booked: dict[int, str] = field(default_factory=dict)  # file index → SQL flag "this record is in that file"
    original: dict[str, str] = field(default_factory=dict)  # a joined column's name → its name in its own file
    lead_unit: bool = False  # the view has __lead_unit: 1 on the one row that counts a parent lead, else 0


def file_roles(con: duckdb.DuckDBPyConnection, index: int, source: SourceFile) -> set[str]:
    """The roles a file's own columns hold, judged by headers and values (a "Closed" column of dates is a close
    date, not a closed flag)."""
    result = execute(con, first_rows(f"src{index}", SAMPLE_ROWS))
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    sample = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return set(detect_roles(source.columns, sample))


def _key_stats(con: duckdb.DuckDBPyConnection, index: int, key: str) -> tuple[int, int]:
    """(distinct, present) values of the key in file `index`."""
    distinct, present = execute(con, key_stats(f"src{index}", key)).fetchall()[0]
    return int(distinct), int(present)


def _is_unique(stats: tuple[int, int]) -> bool:
    distinct, present = stats
    return present > 0 and distinct >= UNIQUE_SHARE * present


def choose_base(counts: list[int], unique: dict[int, bool], roles: list[set[str]]) -> int:
    """The file that holds outcomes (a stage or flag), preferring the one that repeats the key (the deals of a
    contact list), then the larger."""

    def score(index: int) -> tuple[bool, bool, int]:
        outcomes = bool(roles[index] & _OUTCOME_ROLES)
        return (outcomes, outcomes and not unique[index], counts[index])

    return max(range(len(counts)), key=score)


def find_link_key(con: duckdb.DuckDBPyConnection, sources: list[SourceFile]) -> str | None:
    """The shared column that identifies records: unique in at least one file, named like an id where possible,
    and whose values in the files mostly meet. An owner or channel column is unique in no file."""
    shared = set(sources[0].columns)
    for source in sources[1:]:
        shared &= set(source.columns)
    best: tuple[float, str] | None = None
    for column in sorted(shared):
        id_like = "id" in roles_from_header(column)
        stats = [_key_stats(con, index, column) for index in range(len(sources))]
        if any(present == 0 for _, present in stats):
            continue
        unique = [index for index, s in enumerate(stats) if s[0] >= (0.5 if id_like else UNIQUE_SHARE) * s[1]]
        if not unique:
            continue
        # Overlap: the share of each other file's distinct values found in the most unique file.
        anchor = max(unique, key=lambda i: stats[i][0])
        overlaps = []
        for index in range(len(sources)):
            if index == anchor:
                continue
            overlap = execute(con, key_overlap(f"src{index}", f"src{anchor}", column)).fetchall()[0][0]
            overlaps.append(float(overlap or 0))
        score = min(overlaps) + (1.0 if id_like else 0.0)
        if min(overlaps) >= 0.5 and (best is None or score > best[0]):
            best = (score, column)
    return best[1] if best else None


def _is_bookings(roles: set[str]) -> bool:
    """A file of outcomes only: no stage or flag column, but a close date (a booking, order, contract or won
    date). A contact list with only a created date is not one."""
    return not roles & _OUTCOME_ROLES and "closed" in roles


def link_sources(
    con: duckdb.DuckDBPyConnection, sources: list[SourceFile], counts: list[int], link_key: str | None
) -> LinkedSources:
    """Create the `source` view joining every file onto the base on the shared key; list what could not join."""
    key = link_key or find_link_key(con, sources)
    if key is None:
        names = Names((s.name for s in sources), quoted=False)
        raise IntakeError("intake.no_link", code="no_link", files=names)
    for source in sources:
        if key not in source.columns:
            raise IntakeError("intake.no_link_column", code="no_link", file=source.name, column=key)
    roles = [file_roles(con, index, source) for index, source in enumerate(sources)]
    unique = {i: _is_unique(_key_stats(con, i, key)) for i in range(len(sources))}  # every file has the key
    base = choose_base(counts, unique, roles)
    others = [i for i in range(len(sources)) if i != base]
    relations = {i: _relation(roles[i], unique[i], unique[base]) for i in others}
    linked = LinkedSources(key, base, list(sources[base].columns), dict.fromkeys(sources[base].columns, base))
    select = [f"b.{quote_ident(c)}" for c in sources[base].columns] + [f"b.rowid AS __row_{base}"]
    joins = []
    duplicate = ("duplicate_key", {"key": key})
    base_rows = rows_with_rowid(f"src{base}")
    if any(relation != "many_to_one" for relation in relations.values()):
        # A repeated id in the base would count the row it is paired with twice: listed, not used.
        repeats = execute(con, repeated_key_rows(f"src{base}", key)).fetchall()
        linked.rejects += [(base, row, *duplicate) for (row,) in repeats]
        base_rows = rows_with_rowid(f"src{base}", first_only_key=key)
    for index in others:
        source, alias, relation = sources[index], f"o{index}", relations[index]
        for column in source.columns:
            if column == key:
                continue
            name = column if column not in linked.column_file else f"{column} ({source.name})"
            linked.column_file[name] = index
            linked.original[name] = column
            linked.columns.append(name)
            select.append(f"{alias}.{quote_ident(column)} AS {quote_ident(name)}")
        select.append(f"{alias}.__row AS __row_{index}")
        if relation == "bookings":
            other = _bookings_by_key(con, index, source, key)
            linked.booked[index] = f"(s.__row_{index} IS NOT NULL)"
        else:
            other = first_rows_per_key(f"src{index}", key)
        joins.append(left_join_on_key(other, alias, key))
        # Rows whose id the base does not have: an error for one-to-one files and bookings (a booking of an
        # unknown lead), not for a parent (a contact without deals is still a contact).
        orphans = [r[0] for r in execute(con, orphan_rows(f"src{index}", f"src{base}", key)).fetchall()]
        if relation != "many_to_one":
            missing = ("key_not_found", {"key": key, "file": sources[base].name})
            linked.rejects += [(index, row, *missing) for row in orphans]
        listed = set(orphans)
        if relation != "bookings":  # several bookings of one id are added up; other repeats are listed
            repeated = execute(con, repeated_key_rows(f"src{index}", key)).fetchall()
            dups = [r[0] for r in repeated if r[0] not in listed]
            linked.rejects += [(index, row, *duplicate) for row in dups]
            listed.update(dups)
        linked.links.append(Link(source.name, key, relation, counts[index] - len(listed), len(orphans)))
    view = joined_source(select, base_rows, joins)
    leads = [i for i in others if relations[i] == "many_to_one" and roles[i] & _LEAD_LIST_ROLES]
    if leads:
        view = _with_parent_leads(view, leads, key, base, linked)
    execute(con, create_source_view(view))
    return linked


# A parent file with a created date or a status of its own is a lead / contact list, not a master (accounts).
_LEAD_LIST_ROLES = frozenset({"created", "stage", "lifecycle"})


def _with_parent_leads(view: str, parents: list[int], key: str, base: int, linked: LinkedSources) -> str:
    """The joined view plus a row for each parent lead without a child deal, and `__lead_unit` so each lead
    counts once: 1 on the first deal of a lead (and on a lead without deals), 0 on its other deals."""
    parents_cells = []
    for index in parents:
        names = [name for name, file in linked.column_file.items() if file == index]
        cells = ", ".join(f"o.{quote_ident(linked.original[name])} AS {quote_ident(name)}" for name in names)
        parents_cells.append((index, cells))
    linked.lead_unit = True
    return with_parent_leads(view, base, key, parents_cells)


def _relation(roles: set[str], unique: bool, base_unique: bool) -> str:
    """How a file relates to the base: bookings, a parent of the base's rows, or one row per base row.

    A lead / contact list is a parent even when each has at most one deal: a contact without a deal is a lead,
    not an error. Another file whose ids the base lacks (activity of unknown deals) is listed as rejected.
    """
    if _is_bookings(roles):
        return "bookings"
    if unique and (not base_unique or roles & _LEAD_LIST_ROLES):
        return "many_to_one"
    return "one_to_one"


def _bookings_by_key(con: duckdb.DuckDBPyConnection, index: int, source: SourceFile, key: str) -> str:
    """Several bookings of one id as one row: numbers added up, the earliest date, other cells of the first row."""
    types = {name: kind.upper() for name, kind, *_ in execute(con, table_columns(f"src{index}")).fetchall()}
    parts: list[str] = []
    for column in source.columns:
        if column == key:
            continue
        qcol, kind = quote_ident(column), types.get(column, "VARCHAR")
        if kind in ("DATE",) or kind.startswith("TIMESTAMP"):
            parts.append(f"min({qcol}) AS {qcol}")
        elif kind in ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "SMALLINT", "TINYINT", "FLOAT") or kind.startswith(
            "DECIMAL"
        ):
            parts.append(f"sum({qcol}) AS {qcol}")
        else:
            parts.append(f"arg_min({qcol}, rowid) AS {qcol}")
    return bookings_by_key(f"src{index}", key, parts)


def file_rejects(linked: LinkedSources, sources: list[SourceFile]) -> list[tuple[str, int, str, str, dict]]:
    """Linking rejects as (file, row as a person sees it, column, reason code, its parameters)."""
    return [
        (sources[index].name, file_row(sources[index], row), linked.key, code, params)
        for index, row, code, params in linked.rejects
    ]
