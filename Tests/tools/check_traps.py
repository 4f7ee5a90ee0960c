"""Finds the Swift constructs that stop the whole process when they fail, in Sesame's own sources.

A force unwrap, `try!`, `as!`, `fatalError`, a precondition or a subscript with a literal index ends every session
in the process when it meets the wrong value, and the value may come from outside. Each one is refused here unless
its line says why it cannot fail, with a `// trap-safe: reason` comment (docs/security.md#traps). Run by
scripts/test; exits 1 and lists the places when it finds any.
"""
import os
import re
import sys

PATTERNS = [
    ("force unwrap", re.compile(r"[\w\)\]\>]!(?!=)")),
    ("try!", re.compile(r"\btry!")),
    ("as!", re.compile(r"\bas!")),
    ("fatalError", re.compile(r"\bfatalError\(")),
    ("precondition", re.compile(r"\b(precondition|preconditionFailure|assertionFailure)\(")),
    ("literal subscript", re.compile(r"[\w\)\]]\[\d+\]")),
]
ALLOW = "// trap-safe:"


def code_only(text):
    """The source with string literals emptied and comments removed, line numbers kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith('"""', i):
            end = text.find('"""', i + 3)
            end = n if end < 0 else end + 3
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * 0)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def main(root):
    found = []
    allowed = 0
    for folder, _, files in os.walk(os.path.join(root, "Sources")):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            text = open(path, encoding="utf-8").read()
            lines = text.split("\n")
            for number, line in enumerate(code_only(text).split("\n"), 1):
                for kind, pattern in PATTERNS:
                    if pattern.search(line):
                        if ALLOW in lines[number - 1]:
                            allowed += 1
                        else:
                            found.append(f"{os.path.relpath(path, root)}:{number}: {kind}: {lines[number - 1].strip()}")
                        break
    for place in found:
        print(place)
    print(f"{len(found)} trap(s) without a reason, {allowed} marked trap-safe")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.getcwd()))
