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
