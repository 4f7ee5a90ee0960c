"""Writes Tests/SesameCoreTests/Fixtures/plurals.json: the CLDR plural category of 0…200 and some larger whole
numbers in each language Sesame speaks, from Babel's copy of CLDR, so that a test checks the rules
Language+Plural.swift writes by hand."""
import json
import pathlib

import babel
from babel import Locale

TAGS = ("ar bg ca cs da de el en es et eu fi fr gl he hi hr hu id it ja kk ko lt lv ms nb nl pl pt pt-BR ro ru "
        "sk sl sr-Latn sv th tr uk vi zh-Hans zh-Hant").split()
NUMBERS = list(range(0, 201)) + [1000, 1011, 1_000_000, 2_000_000, 1_000_001, 10_000_000]


def main():
    table = {}
    for tag in TAGS:
        locale = Locale.parse({"pt": "pt-PT"}.get(tag, tag), sep="-")
        table[tag] = [locale.plural_form(n) for n in NUMBERS]
    out = pathlib.Path(__file__).resolve().parents[2] / "Tests/SesameCoreTests/Fixtures/plurals.json"
    out.write_text(json.dumps({"babel": babel.__version__, "numbers": NUMBERS, "categories": table}, ensure_ascii=False) + "\n")
    print(out)


if __name__ == "__main__":
    main()
