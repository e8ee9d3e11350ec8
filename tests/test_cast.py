"""One cast for the whole curriculum: one first name per character, one age per character.

Oral learners follow a story by its people's names; the same name used for a
34-year-old mother, a 13-year-old girl and a relay confuses them. The cast list is
`referentiels/personnages.yml`; this test reads every page (both languages) and
the item bank and fails on a name used outside the places its character lives,
on an age that differs from the cast, and on a first name that is not in the cast.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# First names common in Koro and Douentza, so that a new character given one of them
# without a cast entry is caught even when the sentence gives no « Vous êtes … ».
KNOWN_FIRST_NAMES = {
    "Abdoulaye", "Adama", "Aïcha", "Aïssata", "Ali", "Allaye", "Alou", "Amadou", "Aminata", "Assétou",
    "Boubacar", "Fadimata",
    "Awa", "Bakary", "Belco", "Binta", "Bintou", "Boureima", "Djeneba", "Drissa", "Fanta", "Fatou",
    "Fatoumata", "Hama", "Hamadoun", "Hamidou", "Hassane", "Hawa", "Housseini", "Ibrahim", "Issa", "Kadia",
    "Kadiatou", "Mahamadou", "Mamadou", "Mariam", "Modibo", "Moussa", "Nana", "Oumar", "Oumou", "Ousmane",
    "Penda", "Ramata", "Rokia", "Salif", "Salimata", "Samba", "Sékou", "Seydou", "Souleymane", "Tidiani",
    "Yacouba", "Yaya",
}
NAME_AGE = re.compile(r"\b([A-ZÀ-ÝƐƆƝŊ][a-zà-ÿɛɔɲŋ]+),? \(?(\d{1,2}) (?:ans|san)\b")
INTRODUCED = re.compile(r"\b(?:Vous êtes|I ye) ([A-ZÀ-ÝƐƆƝŊ][a-zà-ÿɛɔɲŋ]+)")


def _cast(root: Path) -> list[dict]:
    return yaml.safe_load((root / "referentiels" / "personnages.yml").read_text(encoding="utf-8"))["personnages"]


def _card_texts(root: Path) -> dict[str, str]:
    """{series id: every text of its cards, both languages}: cards live in cartes/*.yml."""
    series = {}
    for path in sorted((root / "cartes").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["series"]:
            series[entry["id"]] = yaml.safe_dump(entry, allow_unicode=True)
    return series


def _texts(root: Path) -> dict[str, str]:
    """{place: text}: pages as « m2/s5-jeux-de-role.md » (both languages joined, with the cards they show
    through ``kalan:cartes``), and the bank's items."""
    texts: dict[str, str] = {}
    cards = _card_texts(root)
    for lang in ("fr", "bm"):
        base = root / "docs" / lang
        for page in base.rglob("*.md"):
            rel = page.relative_to(base).as_posix()
            text = page.read_text(encoding="utf-8")
            shown = re.findall(r"^<!-- kalan:cartes ([A-Z0-9-]+) -->$", text, re.M)
            text += "".join(cards.get(sid, "") for sid in shown)
            texts[rel] = texts.get(rel, "") + "\n" + text
    for path in [root / "quizzes" / "banque.yml", *sorted((root / "quizzes" / "banque").glob("*.yml"))]:
        bank = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in bank["questions"]:
            texts[f"{path.relative_to(root).as_posix()}#{item['id']}"] = yaml.safe_dump(item, allow_unicode=True)
    for path in sorted((root / "quizzes" / "observation").glob("*.yml")):  # the standard role-play
        texts[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return texts


def _uses(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def test_cast_names_are_unique_and_listed_places_exist(repo):
    cast = _cast(repo.root)
    names = [c["prenom"] for c in cast]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    texts = _texts(repo.root)
    for character in cast:
        for place in character["ou"]:
            assert place in texts, f"{character['prenom']} : lieu inconnu {place}"
            assert _uses(texts[place], character["prenom"]), f"{character['prenom']} absent de {place}"


def test_each_name_appears_only_where_its_character_lives(repo):
    texts = _texts(repo.root)
    for character in _cast(repo.root):
        used = {place for place, text in texts.items() if _uses(text, character["prenom"])}
        stray = used - set(character["ou"])
        assert not stray, f"{character['prenom']} ({character['qui']['fr']}) apparaît aussi dans {sorted(stray)}"


def test_ages_match_the_cast(repo):
    ages = {c["prenom"]: c.get("age") for c in _cast(repo.root)}
    for place, text in _texts(repo.root).items():
        for name, age in NAME_AGE.findall(text):
            if name in ages:
                assert ages[name] == int(age), f"{place} : {name}, {age} ans ; la distribution dit {ages[name]}"


def test_every_character_name_is_in_the_cast(repo):
    cast = {c["prenom"] for c in _cast(repo.root)}
    for place, text in _texts(repo.root).items():
        introduced = {n for n, _ in NAME_AGE.findall(text)} | set(INTRODUCED.findall(text))
        known = {n for n in KNOWN_FIRST_NAMES if _uses(text, n)}
        missing = (introduced & KNOWN_FIRST_NAMES | known) - cast
        assert not missing, f"{place} : prénom(s) hors distribution {sorted(missing)}"
