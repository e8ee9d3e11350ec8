"""Cues that let a participant find the key without knowing the answer, measured on the bank.

Per item, in French and in Bambara: the key is the uniquely longest option (test-wise people
pick it); a true/false statement carries an absolute word (« toujours », « jamais »: such
statements are usually false); the key is the only option sharing a distinctive word with the
stem. For the bank: the share of keys that are the longest (chance is 1/3), keys per letter,
the share of true/false keyed « vrai », objectives with fewer than two items. And practice
material that copies a test item: a session page sentence close to an item stem.
Findings are warnings (so ``kalan check --strict`` fails on them), each naming file and item.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from kalan.config import Project
from kalan.errors import Finding
from kalan.quiz.bank import CHOICE, TRUE_FALSE, Bank, Item

MIN_ITEMS_PER_OBJECTIVE = 2
LONGEST_KEY_SHARE = 1 / 3
LONGER_BY = 1.0  # « uniquely longest »: strictly longer than every other option (in characters)
ABSOLUTE_WORDS = {
    "fr": ("toujours", "jamais", "tout", "tous", "toutes", "toute", "il faut", "doit", "doivent", "seulement",
           "aucun", "aucune", "rien", "personne ne"),
    "bm": ("tuma bɛɛ", "abada", "bɛɛ", "ka kan", "dɔrɔn", "pewu", "si tɛ"),
}
# Words too common to be a cue.
STOPWORDS = {
    "fr": frozenset({
        "le", "la", "les", "un", "une", "des", "du", "de", "d", "l", "au", "aux", "et", "ou", "à", "a", "en",
        "dans", "pour", "par", "sur", "avec", "sans", "ce", "cette", "ces", "son", "sa", "ses", "leur", "leurs",
        "que", "qui", "quoi", "ne", "pas", "plus", "est", "sont", "être", "il", "elle", "ils", "elles", "on",
        "vous", "je", "j", "nous", "se", "s", "y", "lui", "ça", "c", "qu", "n", "m", "t", "très", "bien", "faire",
        "fait", "avez", "avoir", "ai",
    }),
    "bm": frozenset({
        "a", "ka", "ni", "ye", "ko", "la", "na", "kan", "fɛ", "ma", "bɛ", "tɛ", "min", "mun", "o", "u", "an", "i",
        "n", "ɲɔgɔn", "walima", "ani", "de", "kɛ", "wa", "dɔ", "dɔw", "tun", "kelen",
    }),
}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)
NEAR_COPY = 0.8  # similarity ratio from which a page sentence « nearly copies » an item stem


def _words(text: str, lang: str) -> set[str]:
    return {w for w in (m.group(0).lower() for m in WORD.finditer(text))
            if len(w) >= 4 and w not in STOPWORDS[lang]}


def _stems(words: set[str]) -> set[str]:
    """A crude stem (first five letters) so that « orienter » and « orientez » count as one word."""
    return {w[:5] for w in words}


def longest_is_key(item: Item, lang: str) -> bool:
    if item.type != CHOICE:
        return False
    lengths = {o.id: len(o.text.get(lang, "")) for o in item.options}
    key = lengths[item.key]
    return all(key > LONGER_BY * n for oid, n in lengths.items() if oid != item.key)


def absolute_words(item: Item, lang: str) -> list[str]:
    if item.type != TRUE_FALSE:
        return []
    text = f" {item.stem.get(lang, '').lower()} "
    return [w for w in ABSOLUTE_WORDS[lang] if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)]


def shared_with_stem(item: Item, lang: str) -> list[str]:
    """Distinctive words that the stem shares with the key and with no other option."""
    if item.type != CHOICE:
        return []
    stem = _stems(_words(item.stem.get(lang, ""), lang))
    key = _stems(_words(item.option(item.key).text.get(lang, ""), lang))
    others = set().union(*(_stems(_words(o.text.get(lang, ""), lang)) for o in item.options if o.id != item.key))
    return sorted(stem & key - others)


def item_cues(item: Item) -> list[Finding]:
    findings = []
    for lang in ("fr", "bm"):
        if longest_is_key(item, lang):
            findings.append(Finding(item.source, item.id, f"({lang}) la clé est la réponse la plus longue",
                                    "avertissement"))
        if words := absolute_words(item, lang):
            findings.append(Finding(item.source, item.id, f"({lang}) vrai-faux avec un mot absolu : "
                                                          f"{', '.join(words)}", "avertissement"))
        if words := shared_with_stem(item, lang):
            findings.append(Finding(item.source, item.id, f"({lang}) seule la clé reprend un mot de l'énoncé "
                                                          f"({', '.join(words)}…)", "avertissement"))
    return findings


def bank_figures(bank: Bank) -> dict[str, object]:
    """The bank's cue figures: what the closing note and `kalan check` report."""
    choice = [i for i in bank.items.values() if i.type == CHOICE]
    true_false = [i for i in bank.items.values() if i.type == TRUE_FALSE]
    return {
        "items": len(bank.items),
        "choix": len(choice),
        "vrai-faux": len(true_false),
        "cle_plus_longue_fr": sum(longest_is_key(i, "fr") for i in choice),
        "cle_plus_longue_bm": sum(longest_is_key(i, "bm") for i in choice),
        "cles": dict(sorted(Counter(i.key for i in choice).items())),
        "vrai": sum(i.key == "vrai" for i in true_false),
    }


def bank_cues(bank: Bank, objective_ids: set[str]) -> list[Finding]:
    """Every item's cues, then the bank as a whole."""
    findings = [f for item in bank.items.values() for f in item_cues(item)]
    figures = bank_figures(bank)
    choice = figures["choix"]
    for lang in ("fr", "bm"):
        longest = figures[f"cle_plus_longue_{lang}"]
        if choice and longest / choice > LONGEST_KEY_SHARE:
            findings.append(Finding("quizzes/", "banque", f"({lang}) la clé est la réponse la plus longue dans "
                                                          f"{longest} questions à choix sur {choice} (cible : au plus "
                                                          "un tiers, le hasard)", "avertissement"))
    keys = figures["cles"]
    if choice and keys and max(keys.values()) > 0.5 * choice:
        findings.append(Finding("quizzes/", "banque", f"clés mal réparties entre a, b, c : {keys}", "avertissement"))
    true_false = figures["vrai-faux"]
    if true_false >= 3 and not 0.2 <= figures["vrai"] / true_false <= 0.5:
        findings.append(Finding("quizzes/", "banque", f"{figures['vrai']} vrai-faux sur {true_false} ont la clé "
                                                      "« vrai » (cible : environ un tiers)", "avertissement"))
    per_objective = Counter(i.objective for i in bank.items.values())
    thin = sorted(o for o in objective_ids if per_objective[o] < MIN_ITEMS_PER_OBJECTIVE)
    if thin:
        findings.append(Finding("quizzes/", "objectifs", f"{len(thin)} objectif(s) mesuré(s) par moins de "
                                                         f"{MIN_ITEMS_PER_OBJECTIVE} questions : {', '.join(thin)}",
                                "avertissement"))
    findings.append(Finding("quizzes/", "banque", f"{figures['items']} questions ; clé la plus longue : "
                                                  f"{figures['cle_plus_longue_fr']}/{choice} (fr), "
                                                  f"{figures['cle_plus_longue_bm']}/{choice} (bm) ; clés {keys} ; "
                                                  f"vrai-faux « vrai » : {figures['vrai']}/{true_false}", "info"))
    return findings


SENTENCE = re.compile(r"[^.!?»\n]{25,}[.!?»]?")


def copied_practice(project: Project, bank: Bank, pages: list[str],
                    extra: list[tuple[str, str]] = ()) -> list[Finding]:
    """Sentences of session pages and cards (practice material) that nearly copy an item stem.
    `extra`: (where, text) pairs, e.g. the cards."""

    matchers = []
    for item in bank.items.values():
        stem = " ".join(WORD.findall(item.stem.get("fr", "").lower()))
        if len(stem) >= 25:
            matcher = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(stem)
            matchers.append((item, matcher))
    sources: list[tuple[str, int | None, str]] = list((where, None, text) for where, text in extra)
    for rel in pages:
        path = project.lang_dir(project.default_lang) / rel
        if path.is_file():
            for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
                sources.append((f"docs/{project.default_lang}/{rel}", number, line))
    findings = []
    for where, number, text in sources:
        for sentence in SENTENCE.findall(text):
            words = " ".join(WORD.findall(sentence.lower()))
            if len(words) < 25:
                continue
            for item, matcher in matchers:
                matcher.set_seq1(words)
                if (matcher.real_quick_ratio() >= NEAR_COPY and matcher.quick_ratio() >= NEAR_COPY
                        and matcher.ratio() >= NEAR_COPY):
                    findings.append(Finding(where, item.id, f"cette phrase recopie presque la question {item.id} du "
                                                            f"test : « {sentence.strip()[:80]} »", "avertissement",
                                            number))
    return findings
