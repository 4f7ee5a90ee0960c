#!/usr/bin/env python3
"""Checks every message catalogue against English, the source (docs/localization.md).

For each language and each of the two catalogues (Sources/SesameCore/Localization/Messages and
Sources/SesameWeb/Localization/Messages): the same keys as English, no empty text, the same {placeholders}, plural
messages that parse and carry exactly the language's CLDR categories for whole numbers plus `other`, and no
placeholder inside a plural that English does not have. Exits 1 and lists every problem.

    python3 Tests/tools/check_catalogues.py [TAG ...]
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "Sources/SesameCore/Localization/Messages", ROOT / "Sources/SesameWeb/Localization/Messages"]

# The CLDR plural categories each language uses for whole numbers (Language+Plural.swift has the rules).
CATEGORIES = {
    "ar": {"zero", "one", "two", "few", "many", "other"},
    "bg": {"one", "other"}, "ca": {"one", "many", "other"}, "cs": {"one", "few", "other"},
    "da": {"one", "other"}, "de": {"one", "other"}, "el": {"one", "other"}, "en": {"one", "other"},
    "es": {"one", "many", "other"}, "et": {"one", "other"}, "eu": {"one", "other"}, "fi": {"one", "other"},
    "fr": {"one", "many", "other"}, "gl": {"one", "many", "other"}, "he": {"one", "two", "other"},
    "hi": {"one", "other"}, "hr": {"one", "few", "other"}, "hu": {"one", "other"}, "id": {"other"},
    "it": {"one", "many", "other"}, "ja": {"other"}, "kk": {"one", "other"}, "ko": {"other"},
    "lt": {"one", "few", "other"}, "lv": {"zero", "one", "other"}, "ms": {"other"}, "nb": {"one", "other"},
    "nl": {"one", "other"}, "pl": {"one", "few", "many", "other"}, "pt": {"one", "many", "other"},
    "pt-BR": {"one", "many", "other"}, "ro": {"one", "few", "other"}, "ru": {"one", "few", "many", "other"},
    "sk": {"one", "few", "other"}, "sl": {"one", "two", "few", "other"}, "sr-Latn": {"one", "few", "other"},
    "sv": {"one", "other"}, "th": {"other"}, "tr": {"one", "other"}, "uk": {"one", "few", "many", "other"},
    "vi": {"one", "other"}, "zh-Hans": {"other"}, "zh-Hant": {"other"},
}


class FormatError(Exception):
    pass


def parse(text, i=0, depth=0):
    """Parses the ICU subset Sesame uses; returns (nodes, index). A node is a str, ("arg", name) or
    ("plural", name, {selector: nodes})."""
    nodes, buf = [], []
    while i < len(text):
        c = text[i]
        if c == "}":
            if depth == 0:
                raise FormatError("unbalanced }")
            break
        if c != "{":
            buf.append(c)
            i += 1
            continue
        if buf:
            nodes.append("".join(buf))
            buf = []
        close = text.find("}", i)
        comma = text.find(",", i)
        if close < 0:
            raise FormatError("unclosed {")
        if comma < 0 or close < comma:
            name = text[i + 1:close]
            if not name.isidentifier():
                raise FormatError(f"bad placeholder {{{name}}}")
            nodes.append(("arg", name))
            i = close + 1
            continue
        name = text[i + 1:comma].strip()
        rest = text[comma + 1:]
        kind, _, _ = rest.partition(",")
        if kind.strip() != "plural" or not name.isidentifier():
            raise FormatError(f"only {{name, plural, ...}} is supported, found {text[i:i + 30]!r}")
        i = comma + 1 + len(kind) + 1
        branches = {}
        while True:
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == "}":
                i += 1
                break
            start = i
            while i < len(text) and text[i] not in " {}":
                i += 1
            selector = text[start:i]
            while i < len(text) and text[i] == " ":
                i += 1
            if not selector or i >= len(text) or text[i] != "{":
                raise FormatError(f"plural {name}: expected 'selector {{text}}'")
            sub, i = parse(text, i + 1, depth + 1)
            if i >= len(text) or text[i] != "}":
                raise FormatError(f"plural {name}: unclosed branch {selector}")
            i += 1
            if selector in branches:
                raise FormatError(f"plural {name}: {selector} twice")
            branches[selector] = sub
        nodes.append(("plural", name, branches))
    if buf:
        nodes.append("".join(buf))
    return nodes, i


def facts(text):
    nodes, end = parse(text)
    if end != len(text):
        raise FormatError("unbalanced }")
    names, plurals = set(), []

    def walk(items):
        for node in items:
            if isinstance(node, tuple) and node[0] == "arg":
                names.add(node[1])
            elif isinstance(node, tuple):
                names.add(node[1])
                plurals.append((node[1], set(node[2])))
                for sub in node[2].values():
                    walk(sub)

    walk(nodes)
    return names, plurals


def check(tag):
    problems = []
    for folder in FOLDERS:
        english = json.loads((folder / "en.json").read_text(encoding="utf-8"))
        path = folder / f"{tag}.json"
        if not path.exists():
            problems.append(f"{path.relative_to(ROOT)}: missing")
            continue
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            problems.append(f"{path.relative_to(ROOT)}: not JSON: {error}")
            continue
        where = path.relative_to(ROOT)
        for key in english.keys() - table.keys():
            problems.append(f"{where}: missing key {key}")
        for key in table.keys() - english.keys():
            problems.append(f"{where}: key {key} is not in English")
        for key in english.keys() & table.keys():
            text = table[key]
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: {key} is empty")
                continue
            try:
                names, plurals = facts(text)
                english_names, _ = facts(english[key])
            except FormatError as error:
                problems.append(f"{where}: {key}: {error}")
                continue
            if names != english_names:
                problems.append(f"{where}: {key} has placeholders {sorted(names)}, English has {sorted(english_names)}")
            for name, selectors in plurals:
                categories = {s for s in selectors if not s.startswith("=")}
                if categories != CATEGORIES[tag]:
                    problems.append(f"{where}: {key}: plural {name} has {sorted(categories)}, {tag} needs {sorted(CATEGORIES[tag])}")
    return problems


def main():
    tags = sys.argv[1:] or sorted(CATEGORIES)
    problems = [p for tag in tags for p in check(tag)]
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"catalogues: {len(tags)} language(s), every key, placeholder and plural form present")


if __name__ == "__main__":
    main()
