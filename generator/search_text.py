"""How search reads Italian text: every apostrophe alike, elided words split off.

Pagefind (`search`) splits a word at ASCII punctuation and indexes the whole word and
each part of two or more letters: ``dell'Isis`` is found as ``dellisis``, ``dell`` and
``isis``. It does not split at the typographic apostrophe (U+2019) Italian outlets
write, so ``dell’Isis`` was only ``dellisis``, and a search for ``Isis`` missed it. Both
sides therefore write every apostrophe as ``'``:

- the search documents (`render.search_document`), so Pagefind indexes the parts; the
  excerpt a result shows reads ``dell'Isis`` (the document's text, with the straight
  apostrophe) — the page opened from it keeps the outlet's own ``’``;
- the query (``theme/assets/postilla-search.js``), which also drops an elided article,
  preposition or pronoun (`ELISIONS`) before the word it is glued to: Pagefind would
  search ``dell'Isis`` as ``dellisis``, and where that is missing from an index it falls
  back to its longest prefix there, ``dell``, the stem of every ``della``. ``dell'Isis``
  is searched as ``Isis``, which finds ``l’Isis``, ``dell'Isis`` and ``Isis`` alike.

The two sides must agree: `APOSTROPHES` and `ELISIONS` are copied into the script, and
``tests/test_search.py`` checks that the copies are the same and behave the same.
"""

from __future__ import annotations

import re

# Written as ``'`` in search documents and queries: the typographic apostrophe and
# closing quote, the opening quote (also typed for an apostrophe), the reversed quote,
# the modifier letter apostrophe (a letter to Pagefind: ``dellʼIsis`` stayed one word),
# the acute and grave accents and the prime typed for an apostrophe, the fullwidth one.
APOSTROPHES = "\u2019\u2018\u201b\u02bc\u00b4\u0060\u2032\uff07"

# Elided forms dropped from a query when an apostrophe glues them to the next word
# (``dell'Isis`` -> ``Isis``), lowercase, matched in any case: the articles and
# prepositions before a name or a noun, which say nothing a search needs. Not here:
# - truncated words, whose apostrophe ends them (``po'`` poco, ``mo'``, ``be'``, ``di'``,
#   ``fa'``, ``va'``, ``da'``): nothing is glued after the apostrophe, they stay;
# - pronouns, particles and adverbs elided before a verb (``c'è``, ``m'ha``, ``s'è``,
#   ``n'è``, ``dov'è``, ``com'è``, ``anch'io``): what would be left (``è``, ``ha``) is in
#   every article; searched whole (``dov'è`` as ``dovè``), they find the same phrase;
# - elided words that mean something (``sant'`` in Sant'Egidio, ``bell'``, ``buon'``,
#   ``nessun'``, ``tutt'`` in tutt'altro, ``senz'`` in senz'altro, ``mezz'`` in
#   mezz'ora) and names (``O'Brien``): searched whole. (``D'Alema`` is searched as
#   ``Alema``, which the document's ``D'Alema`` holds as a part: found.)
ELISIONS: tuple[str, ...] = (
    # articles: lo/la (l'Isis), una (un'offensiva), gli (literary: gl'Iracheni)
    "l",
    "un",
    "gl",
    # articulated prepositions, di/a/da/in/su/con/per + lo/la: dell'Isis, sull'Iraq
    "dell",
    "all",
    "dall",
    "nell",
    "sull",
    "coll",
    "pell",
    # the preposition di: d'Italia, d'accordo (tra and fra are never elided)
    "d",
    # demonstratives, questo/questa and quello/quella: quest'anno, quell'attacco
    "quest",
    "quell",
)

_APOSTROPHE = re.compile(f"[{re.escape(APOSTROPHES)}]")
# An elided form at the start of a word (not after a letter, a digit or another
# apostrophe: rock'n'roll keeps its n), glued by the apostrophe to a letter or digit.
_ELIDED = re.compile(
    r"(?<![\w'])(?:" + "|".join(sorted(ELISIONS, key=lambda e: (-len(e), e))) + r")'(?=[^\W_])",
    re.IGNORECASE,
)


def apostrophes(text: str) -> str:
    """`text` with every kind of apostrophe written ``'`` (the same length)."""
    return _APOSTROPHE.sub("'", text)


def search_query(query: str) -> str:
    """What the search box gives Pagefind for `query`: one apostrophe, elided articles,
    prepositions and pronouns dropped (``dell’Isis`` -> ``Isis``), spaces collapsed."""
    return " ".join(_ELIDED.sub("", apostrophes(query)).split())


def entity_text(name: str, aliases: tuple[str, ...] | list[str]) -> str:
    """The line a search document gives an entity the article mentions: its name and its
    other forms, each once whatever its case (``◉ Ayman al-Zawahiri (al-Zawahri,
    Zawahiri)``), so that searching any of them finds the article. It is the excerpt of
    a result found only through it, hence readable rather than a list of words."""
    seen = {apostrophes(name).casefold()}
    others = []
    for alias in aliases:
        key = apostrophes(alias).casefold()
        if key not in seen:
            seen.add(key)
            others.append(apostrophes(alias))
    return f"◉ {apostrophes(name)}" + (f" ({', '.join(others)})" if others else "")
