"""Normalisation of the Alembic output parts that depend on Python set order.

Shared by capture.py (goldens are stored in this canonical form) and
compare.py (applied to both sides before comparing).  Only what FORMATS.md
section 5 documents as hash-order dependent is touched:

1. the order of the comma-separated labels in the parenthesised branch-label
   list that follows a revision id: ``rev (b, a) (head)``, history lines
   ``down -> rev (b, a), doc``, branches child lines ``   -> rev (b, a)``;
2. the order of the items of ``Branches into:`` and ``Branch names:`` lines;
3. the order of consecutive ``   -> child`` lines under a branch point in
   ``branches`` output.

Each is sorted (plain string order).  Docstring lines of verbose entries
(between the empty line after ``Path:`` and the next empty line) are never
changed, nor are ``Merges:``, ``Also depends on:``, the dependency list in
``down (dep, dep) -> rev`` or the order of history lines.

Label order of a revision with several labels is not even stable between two
runs with the same PYTHONHASHSEED (the labels are collected in a set while
iterating a set of Revision objects, whose order follows memory addresses).
"""
import re

# a revision id followed by a parenthesised list with at least one ", "
_REV_LABELS_RE = re.compile(r"^(?P<rev>[^\s(),]+) \((?P<labels>[^()]*, [^()]*)\)")
_LIST_LINE_RE = re.compile(r"^(?P<key>Branches into|Branch names): (?P<items>.*)$")
_CHILD_RE = re.compile(r"^ +-> ")


def _sort_labels(line: str) -> str:
    """Sort the label list right after the revision id of a one-line entry.

    The revision id comes after the first " -> " (history lines, branches
    child lines) or at the start of the line (heads, branch points); the
    dependency list of ``down (dep, dep) -> rev`` is left alone.
    """
    head, sep, rest = line.partition(" -> ")
    if not sep:
        head, rest = "", line
    else:
        head += sep
    m = _REV_LABELS_RE.match(rest)
    if not m:
        return line
    labels = ", ".join(sorted(m.group("labels").split(", ")))
    return f"{head}{m.group('rev')} ({labels}){rest[m.end():]}"


def normalise(text: str) -> str:
    lines = text.split("\n")
    out = []
    in_doc = False        # inside the docstring block of a verbose entry
    after_path = False    # the line after "Path: ..." (always empty)
    children = []         # pending run of "   -> child" lines

    def flush():
        out.extend(sorted(children))
        children.clear()

    for line in lines:
        if in_doc:
            if line == "":
                in_doc = False
            out.append(line)
            continue
        if after_path:
            after_path = False
            out.append(line)
            in_doc = line == ""
            continue
        if _CHILD_RE.match(line):
            children.append(_sort_labels(line))
            continue
        flush()
        m = _LIST_LINE_RE.match(line)
        if m:
            items = ", ".join(sorted(m.group("items").split(", ")))
            out.append(f"{m.group('key')}: {items}")
            continue
        if line.startswith("Path: "):
            after_path = True
            out.append(line)
            continue
        out.append(_sort_labels(line))
    flush()
    return "\n".join(out)


# --- offline SQL (cases named *_sql) ------------------------------------------
#
# SQL output is never label-sorted (that would reorder column lists).  It is
# compared exactly, except for
#
# * trailing whitespace at the end of each line (Alembic ends every element
#   line of CREATE TABLE with ", " and the SELECT line of a batch copy with
#   " "), and
# * the two places FORMATS.md section 5 documents as nondeterministic, which
#   are put in a canonical order:
#
#   A. batch move-and-copy: inside ``CREATE TABLE _alembic_tmp_<name> (`` …
#      ``)``, the trailing run of table-level constraint lines (lines starting
#      with CONSTRAINT / PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK after the
#      4-space indent) is sorted by its text without the trailing separator;
#      each position keeps its own separator (", " / none), so the statement
#      stays well-formed.  Alembic copies the table's constraints out of a
#      Python set, so this order changes from run to run even with a fixed
#      PYTHONHASHSEED.
#   B. version-table moves of a merge / un-merge step: a run of one or more
#      ``INSERT INTO <vt> (version_num) VALUES ('<a>')…;`` (un-merge) or
#      ``DELETE FROM <vt> WHERE <vt>.version_num = '<a>';`` (merge) statements
#      directly followed (only blank lines between) by
#      ``UPDATE <vt> SET version_num='<b>' WHERE <vt>.version_num = '<c>';``
#      where <c> (un-merge: the merge revision being left) resp. <b> (merge:
#      the merge revision) is fixed.  The set of parent ids {a…, c-or-b} is
#      sorted; the INSERT/DELETE statements get the first n-1 ids in order and
#      the UPDATE gets the last one (as its new value for un-merge, as its
#      WHERE value for merge).  Which parent gets which statement follows a
#      Python set (PYTHONHASHSEED).

_TMP_CREATE_RE = re.compile(r"^CREATE TABLE (?:\S+\.)?_alembic_tmp_\S* \($")
_CONSTRAINT_LINE_RE = re.compile(r"^    (CONSTRAINT |PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)")
_VT_INSERT_RE = re.compile(r"^INSERT INTO (?P<vt>\S+) \(version_num\) VALUES \('(?P<id>[^']*)'\)(?P<tail>.*)$")
_VT_DELETE_RE = re.compile(r"^DELETE FROM (?P<vt>\S+) WHERE (?P=vt)\.version_num = '(?P<id>[^']*)';$")
_VT_UPDATE_RE = re.compile(
    r"^UPDATE (?P<vt>\S+) SET version_num='(?P<new>[^']*)' WHERE (?P=vt)\.version_num = '(?P<old>[^']*)';$")


def _element_body(line: str) -> str:
    body = line.rstrip()
    return body[:-1] if body.endswith(",") else body


def _sort_tmp_table_constraints(lines):
    out = list(lines)
    i = 0
    while i < len(out):
        if not _TMP_CREATE_RE.match(out[i].rstrip()):
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(out) and not out[end].startswith(")"):
            end += 1
        # trailing run of constraint lines among the element lines [start, end)
        first = end
        while first > start and _CONSTRAINT_LINE_RE.match(out[first - 1]):
            first -= 1
        run = out[first:end]
        if len(run) > 1:
            suffixes = [line[len(_element_body(line)):] for line in run]
            bodies = sorted(_element_body(line) for line in run)
            out[first:end] = [b + s for b, s in zip(bodies, suffixes)]
        i = end + 1
    return out


def _canonical_version_moves(lines):
    out = list(lines)
    i = 0
    while i < len(out):
        m = _VT_INSERT_RE.match(out[i]) or _VT_DELETE_RE.match(out[i])
        if not m:
            i += 1
            continue
        kind = "insert" if out[i].startswith("INSERT") else "delete"
        vt = m.group("vt")
        run = []          # indexes of the INSERT/DELETE statements
        j = i
        while j < len(out):
            if out[j].strip() == "":
                j += 1
                continue
            mm = (_VT_INSERT_RE if kind == "insert" else _VT_DELETE_RE).match(out[j])
            if mm and mm.group("vt") == vt:
                run.append((j, mm))
                j += 1
                continue
            break
        up = _VT_UPDATE_RE.match(out[j]) if j < len(out) else None
        if not up or up.group("vt") != vt:
            i = run[-1][0] + 1
            continue
        moving = "new" if kind == "insert" else "old"   # the parent side of the UPDATE
        ids = sorted([mm.group("id") for _, mm in run] + [up.group(moving)])
        for (k, mm), rev in zip(run, ids[:-1]):
            if kind == "insert":
                out[k] = f"INSERT INTO {vt} (version_num) VALUES ('{rev}'){mm.group('tail')}"
            else:
                out[k] = f"DELETE FROM {vt} WHERE {vt}.version_num = '{rev}';"
        new, old = up.group("new"), up.group("old")
        if kind == "insert":
            new = ids[-1]
        else:
            old = ids[-1]
        out[j] = f"UPDATE {vt} SET version_num='{new}' WHERE {vt}.version_num = '{old}';"
        i = j + 1
    return out


def canonical_sql(text: str) -> str:
    """Alembic SQL output with the nondeterministic parts (A, B) in canonical
    order; everything else byte for byte (used to store the goldens)."""
    lines = text.split("\n")
    lines = _sort_tmp_table_constraints(lines)
    lines = _canonical_version_moves(lines)
    return "\n".join(lines)


def normalise_sql(text: str) -> str:
    """What compare.py compares for *_sql cases: trailing whitespace of every
    line removed, then canonical_sql."""
    return canonical_sql("\n".join(line.rstrip() for line in text.split("\n")))
