"""The words Postilla puts on generated pages, in each supported interface language.

The language follows ``theme.language`` in ``mkdocs.yml`` (Italian for this
archive); a language missing here falls back to English. To add one, copy the
``en`` table and translate the values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "archive": "Archive",
        "sources": "Sources",
        "articles": "Articles",
        "article_count": "{n} articles",
        "article_count_one": "1 article",
        "source_count": "{n} sources",
        "latest": "Latest articles",
        "feeds": "Follow in a feed reader",  # feeds (issue 14, F2)
        "all_articles": "All articles by date",
        "undated": "Undated",
        "publisher": "Publisher",
        "source": "Source",
        "date": "Date",
        "published": "Published",
        "author": "Author",
        "original": "Original",
        "language": "Language",
        "length": "Length",
        "words": "{n} words · {minutes} min read",
        "raw": "Raw text",
        "sha256": "SHA-256",
        "imported": "Imported",
        "removed": "Removed by cleaning ({n} lines)",
        "line": "line",
        "rule": "rule",
        "footnotes": "Publisher's notes",
        "description": "Summary",
        "no_articles": "No articles yet.",
        "unregistered_sources": "Sources not in the registry",
        "country": "Country",
        "kind": "Kind",
        "website": "Website",
        "notes": "Notes",
        "downloads": "Download the archive as data",
        "date_precision_month": "month only",
        "date_from_url": "from the page's address",
        "date_precision_year": "year only",
        "unknown_date": "date unknown",
        "derived_title": "title derived from the text: the page has no headline",
        "page": "Page {n} of {total}",
        "previous": "Previous",
        "next": "Next",
        "about": "An archive of news articles, cleaned, described and searchable.",
        "not_found": "Page not found",
        "not_found_text": "There is no page at this address in the archive. It may have moved: try the search, or start again from the home page.",
        "not_found_home": "Back to the home page",
        "domain": "Domain",
        "place": "Place",
        "agency": "Agency",
        "entities": "Entities",
        "entities_here": "Entities in this article",
        "related": "Related articles",
        # republication (issue 14, F6)
        "also_published": "Also published by",
        "earliest": "earliest",
        "earliest_is_this": "This is the earliest known publication of this text.",
        "unknown_outlet": "unknown outlet",
        "type_person": "Person",
        "type_organization": "Organisation",
        "type_place": "Place",
        "type_event": "Event",
        "type_other": "Other",
        "types_person": "People",
        "types_organization": "Organisations",
        "types_place": "Places",
        "types_event": "Events",
        "types_other": "Other",
        "name": "Name",
        "aliases": "Also written",
        "no_mentions": "No article of the archive mentions this entity yet.",
        "mentions_over_time": "Articles by month",
        # attention over time (issue 14, G7): undated count, comparison page, passages
        "undated_not_charted": "{n} articles without a date (or with a year only) are not in the chart.",
        "undated_not_charted_one": "1 article without a date (or with a year only) is not in the chart.",
        "compare": "Compare attention over time",
        "compare_intro": "Articles by month naming an entity or coming from a source, side by side.",
        "compare_default": "The {n} most named entities",
        "compare_choose": "Entities or sources to compare",
        "compare_hint": "Choose up to {n}: Ctrl (⌘ on a Mac) or Shift with a click or the arrow keys adds to the choice.",
        "compare_chart_label": "Articles by month: {names}",
        "compare_table": "The numbers, month by month",
        "compare_undated": "Without a month",
        "compare_legend": "{name}: {n} articles, {undated} without a month",
        "month": "Month",
        "kwic_count": "passages {first}–{last} of {n}",
        "kwic_total": "{n} passages",
        "co_mentioned": "Often mentioned with",
        "entity_count": "{n} entities",
        "sort_hint": "Click a column heading to sort.",
        "annotations": "Annotations",
        "annotate": "Annotate this article",
        "annotate_selection": "Annotate",
        "annotate_selection_title": "Annotate the selected passage",
        "permalink": "Link to this annotation",
        "tags": "Tags",
        "tag": "Tag",
        "filters": "Filters",
        "filter_source": "Source",
        "filter_year": "Year",
        "filter_entity": "Entity",
        "filter_annotation": "Annotation",
        "replies": "Replies",
        "kind_comment": "Comment",
        "kind_context": "Context",
        "kind_fact-check": "Fact-check",
        "kind_correction": "Correction",
        "kind_question": "Question",
        "verdict_true": "True",
        "verdict_false": "False",
        "verdict_misleading": "Misleading",
        "verdict_unverified": "Unverified",
        "orphaned": "Orphaned annotations",
        "orphaned_intro": "These annotations no longer fit the text of their article (it was re-cleaned or edited). They are kept here with the words they were written against.",
        "no_orphans": "No orphaned annotations.",
        "all_kinds": "all kinds",
        "all_tags": "all tags",
        "all_authors": "all authors",
        # authors (issue 14, F3)
        "authors": "Authors",
        "author_kind": "Kind",
        "author_kind_person": "person",
        "author_kind_desk": "desk (newsroom)",
        "author_kind_initials": "initials",
        "author_dates": "Dates",
        "no_authors": "No article names its author yet.",
        "written_on": "Written against",
        "annotation_count": "{n} annotations",
        # Citations (generator/citations.py)
        "cite": "Cite",
        "cite_reference": "Reference",
        "cite_download": "download",
        "cite_archived": "Archived in {archive}: {url}",
        "paragraph_link": "Link to this paragraph",
        # map of places (issue 14, F1)
        "map": "Map",
        "map_none": "No place in the entity registry has coordinates yet.",
        "map_intro": "{n} places with coordinates. The size of each circle follows the number of articles naming the place; select one to open its page. The same places are listed below the map.",
        "map_label": "Map of the places named in the archive",
        "map_detail": "Detail of the busiest region",
        "map_latitude": "Latitude",
        "map_longitude": "Longitude",
        "map_credit": "Base map: Natural Earth (public domain), drawn when the site was built.",
        "map_where": "Where {name} is",
        "map_all": "Every place on the map",
        # interface language (issue 14, F9): navigation, theme toggle, annotation template
        "about_page": "About",
        "theme_to_dark": "Switch to dark mode",
        "theme_to_light": "Switch to light mode",
        "annotation_file": "new-annotation.yml",
        "template_format": 'One file per contribution. Format: CONTRIBUTING.md, "Annotations".',
        "template_quote": "copy the exact words from the article",
        "template_note": "What you want readers to know, in Markdown. Links: [text](https://example.org/source).",
        "template_author": "your-github-handle",
        "template_verdict": "fact-check only",
        "template_tags": "[one, two]",
    },
    "it": {
        "home": "Home",
        "archive": "Archivio",
        "sources": "Fonti",
        "articles": "Articoli",
        "article_count": "{n} articoli",
        "article_count_one": "1 articolo",
        "source_count": "{n} fonti",
        "latest": "Ultimi articoli",
        "feeds": "Segui con un lettore di feed",  # feeds (issue 14, F2)
        "all_articles": "Tutti gli articoli per data",
        "undated": "Senza data",
        "publisher": "Editore",
        "source": "Fonte",
        "date": "Data",
        "published": "Pubblicato",
        "author": "Autore",
        "original": "Originale",
        "language": "Lingua",
        "length": "Lunghezza",
        "words": "{n} parole · {minutes} min di lettura",
        "raw": "Testo grezzo",
        "sha256": "SHA-256",
        "imported": "Importato",
        "removed": "Rimosso dalla pulizia ({n} righe)",
        "line": "riga",
        "rule": "regola",
        "footnotes": "Note dell'editore",
        "description": "Sommario",
        "no_articles": "Ancora nessun articolo.",
        "unregistered_sources": "Fonti non registrate",
        "country": "Paese",
        "kind": "Tipo",
        "website": "Sito",
        "notes": "Note",
        "downloads": "Scarica l'archivio come dati",
        "date_precision_month": "solo mese",
        "date_from_url": "dall'indirizzo della pagina",
        "date_precision_year": "solo anno",
        "unknown_date": "data sconosciuta",
        "derived_title": "titolo ricavato dal testo: la pagina non ha un titolo",
        "page": "Pagina {n} di {total}",
        "previous": "Precedente",
        "next": "Successiva",
        "about": "Un archivio di articoli di giornale, ripuliti, descritti e consultabili.",
        "not_found": "Pagina non trovata",
        "not_found_text": "A questo indirizzo l'archivio non ha nessuna pagina. Forse è stata spostata: prova la ricerca, o riparti dalla pagina iniziale.",
        "not_found_home": "Torna alla pagina iniziale",
        "domain": "Dominio",
        "place": "Luogo",
        "agency": "Agenzia",
        "entities": "Entità",
        "entities_here": "Entità in questo articolo",
        "related": "Articoli correlati",
        # republication (issue 14, F6)
        "also_published": "Pubblicato anche da",
        "earliest": "il primo",
        "earliest_is_this": "Questa è la prima pubblicazione nota di questo testo.",
        "unknown_outlet": "testata sconosciuta",
        "type_person": "Persona",
        "type_organization": "Organizzazione",
        "type_place": "Luogo",
        "type_event": "Evento",
        "type_other": "Altro",
        "types_person": "Persone",
        "types_organization": "Organizzazioni",
        "types_place": "Luoghi",
        "types_event": "Eventi",
        "types_other": "Altro",
        "name": "Nome",
        "aliases": "Scritto anche",
        "no_mentions": "Nessun articolo dell'archivio cita ancora questa entità.",
        "mentions_over_time": "Articoli per mese",
        # attention over time (issue 14, G7): undated count, comparison page, passages
        "undated_not_charted": "{n} articoli senza data (o con il solo anno) non sono nel grafico.",
        "undated_not_charted_one": "1 articolo senza data (o con il solo anno) non è nel grafico.",
        "compare": "Confronta l'attenzione nel tempo",
        "compare_intro": "Articoli per mese che nominano un'entità o vengono da una fonte, a confronto.",
        "compare_default": "Le {n} entità più nominate",
        "compare_choose": "Entità o fonti da confrontare",
        "compare_hint": "Scegline fino a {n}: Ctrl (⌘ su Mac) o Maiusc con un clic o con le frecce aggiunge alla scelta.",
        "compare_chart_label": "Articoli per mese: {names}",
        "compare_table": "I numeri, mese per mese",
        "compare_undated": "Senza mese",
        "compare_legend": "{name}: {n} articoli, {undated} senza mese",
        "month": "Mese",
        "kwic_count": "passi {first}–{last} di {n}",
        "kwic_total": "{n} passi",
        "co_mentioned": "Citata spesso con",
        "entity_count": "{n} entità",
        "sort_hint": "Clicca l'intestazione di una colonna per ordinare.",
        "annotations": "Annotazioni",
        "annotate": "Annota questo articolo",
        "annotate_selection": "Annota",
        "annotate_selection_title": "Annota il passo selezionato",
        "permalink": "Link a questa annotazione",
        "tags": "Etichette",
        "tag": "Etichetta",
        "filters": "Filtri",
        "filter_source": "Fonte",
        "filter_year": "Anno",
        "filter_entity": "Entità",
        "filter_annotation": "Annotazione",
        "replies": "Risposte",
        "kind_comment": "Commento",
        "kind_context": "Contesto",
        "kind_fact-check": "Verifica",
        "kind_correction": "Correzione",
        "kind_question": "Domanda",
        "verdict_true": "Vero",
        "verdict_false": "Falso",
        "verdict_misleading": "Fuorviante",
        "verdict_unverified": "Non verificato",
        "orphaned": "Annotazioni orfane",
        "orphaned_intro": "Queste annotazioni non corrispondono più al testo del loro articolo (ripulito di nuovo o corretto a mano). Sono conservate qui con le parole su cui erano state scritte.",
        "no_orphans": "Nessuna annotazione orfana.",
        "all_kinds": "tutti i tipi",
        "all_tags": "tutte le etichette",
        "all_authors": "tutti gli autori",
        # authors (issue 14, F3)
        "authors": "Autori",
        "author_kind": "Tipo",
        "author_kind_person": "persona",
        "author_kind_desk": "redazione",
        "author_kind_initials": "iniziali",
        "author_dates": "Date",
        "no_authors": "Nessun articolo indica ancora il suo autore.",
        "written_on": "Scritta su",
        "annotation_count": "{n} annotazioni",
        # Citazioni (generator/citations.py)
        "cite": "Cita",
        "cite_reference": "Riferimento",
        "cite_download": "scarica",
        "cite_archived": "Archiviato in {archive}: {url}",
        "paragraph_link": "Link a questo paragrafo",
        # map of places (issue 14, F1)
        "map": "Mappa",
        "map_none": "Nessun luogo del registro delle entità ha ancora coordinate.",
        "map_intro": "{n} luoghi con coordinate. La grandezza di ogni cerchio segue il numero di articoli che nominano il luogo; sceglierne uno apre la sua pagina. Gli stessi luoghi sono elencati sotto la mappa.",
        "map_label": "Mappa dei luoghi nominati nell'archivio",
        "map_detail": "Dettaglio della regione più citata",
        "map_latitude": "Latitudine",
        "map_longitude": "Longitudine",
        "map_credit": "Mappa di base: Natural Earth (pubblico dominio), disegnata alla costruzione del sito.",
        "map_where": "Dove si trova {name}",
        "map_all": "Tutti i luoghi sulla mappa",
        # interface language (issue 14, F9): navigation, theme toggle, annotation template
        "about_page": "Informazioni",
        "theme_to_dark": "Passa al tema scuro",
        "theme_to_light": "Passa al tema chiaro",
        "annotation_file": "nuova-annotazione.yml",
        "template_format": 'Un file per contributo. Formato: CONTRIBUTING.md, "Annotations".',
        "template_quote": "copia le parole esatte dell'articolo",
        "template_note": "Quello che vuoi far sapere ai lettori, in Markdown. Link: [testo](https://example.org/fonte).",
        "template_author": "il-tuo-nome-su-github",
        "template_verdict": "solo per fact-check",
        "template_tags": "[una, due]",
    },
}

# Why a line was removed, by cleaning rule id, for readers of a non-English site.
# The front matter keeps the English reason; a rule missing here is shown in English.
RULE_REASONS: dict[str, dict[str, str]] = {
    "it": {
        "header": "riga d'intestazione dello scraper (data e indirizzo)",
        "headline": "il titolo",
        "repeated": "ripete una riga precedente",
        "repeated_line": "ripete la riga {n}",
        "timestamp": "data e ora di pubblicazione",
        "repeated-timestamp": "ripete data e ora di pubblicazione",
        "byline": "firma",
        "after-byline": "dopo la firma finale: biografia dell'autore o elementi della pagina",
        "after-end": "dopo la fine dell'articolo (commenti, banner dei cookie, paywall)",
        "kicker": "etichetta di sezione sopra il titolo",
        "teaser": "anteprima che ripete l'inizio dell'articolo",
        "short-line": "troppo breve per essere testo: un'etichetta o una voce di menu",
        "cookie-banner": "banner dei cookie o della privacy",
        "comment-form": "modulo o sezione dei commenti",
        "comment-controls": "pulsanti dei commenti",
        "paywall": "paywall o invito ad accedere",
        "newsletter": "iscrizione alla newsletter",
        "share": "pulsanti di condivisione",
        "related": "collegamenti ad altri articoli",
        "reading-time": "tempo di lettura",
        "copyright": "riga del copyright",
        "advertising": "spazio pubblicitario",
        "photo-credit": "didascalia o crediti di una foto",
        "navigation": "navigazione o menu del sito",
        "no-text": "nessuna parola: un contatore, un punto elenco o un separatore",
        "list-item": "voce di un elenco di collegamenti (articoli correlati, più letti)",
        "site-boilerplate": "si ripete in molti articoli di questa fonte",
        "furniture": "elementi della pagina dopo l'articolo (non un paragrafo di testo)",
    },
}


def rule_reason(rule: str, stored: str, language: str) -> str:
    """Why a line was removed, in `language` when known, else the stored (English) reason."""
    table = RULE_REASONS.get(language.split("-")[0].lower(), {})
    repeated = re.fullmatch(r"repeats line (\d+)", stored)
    if repeated and "repeated_line" in table:
        return table["repeated_line"].format(n=repeated[1])
    return table.get(rule, stored or rule)


def format_datetime(value: str, language: str) -> str:
    """``2021-10-24T22:48:00+02:00`` as ``24 ottobre 2021, 22:48 (UTC+02:00)``."""
    day, _, rest = value.partition("T")
    clock = rest[:5]
    offset = rest[8:] if len(rest) > 8 else ""
    zone = "UTC" if offset in ("Z", "+00:00") else f"UTC{offset}" if offset else ""
    shown = f"{format_date(day, language)}, {clock}"
    return f"{shown} ({zone})" if zone else shown


MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
}  # fmt: skip


def strings(language: str) -> Mapping[str, str]:
    """The table for `language` (``it``, ``en``, ``it-CH``…), English for unknown ones."""
    return STRINGS.get(language.split("-")[0].lower(), STRINGS["en"])


def month_name(language: str, month: int) -> str:
    return MONTH_NAMES.get(language.split("-")[0].lower(), MONTH_NAMES["en"])[month - 1]


def format_date(value: str | None, language: str) -> str:
    """A partial date for people: ``24 ottobre 2021``, ``ottobre 2021``, ``2021``."""
    if not value:
        return strings(language)["unknown_date"]
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = month_name(language, int(parts[1]))
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


# --- the interface around the generated pages (issue 14, F9) ---------------------------

# The navigation entries of Postilla's pages (the generated ones, and the About page its
# skeleton ships), by file, with the key of their title in STRINGS.
NAV_KEYS: dict[str, str] = {
    "index.md": "home",
    "archive/index.md": "archive",
    "sources/index.md": "sources",
    "authors/index.md": "authors",
    "entities/index.md": "entities",
    "map/index.md": "map",
    "annotations/index.md": "annotations",
    "pages/about.md": "about_page",
}
# The keys of the palette's toggle names (Material's light/dark switch).
TOGGLE_KEYS = ("theme_to_dark", "theme_to_light")


def known_words(key: str) -> set[str]:
    """What `key` says in every language of STRINGS (``archive``: Archive, Archivio)."""
    return {table[key] for table in STRINGS.values() if key in table}


def nav_titles(nav: object, language: str) -> object:
    """`mkdocs.yml`'s nav with Postilla's titles in `language`: an entry whose file is one
    of NAV_KEYS and whose title is Postilla's word for it in some language is renamed;
    any other title (a maintainer's own) and a missing nav (None) are kept as they are."""
    words = strings(language)

    def entry(item: object) -> object:
        if not isinstance(item, dict) or len(item) != 1:
            return item
        ((title, target),) = item.items()
        if isinstance(target, list):
            return {title: [entry(child) for child in target]}
        key = NAV_KEYS.get(target) if isinstance(target, str) else None
        if key is not None and title in known_words(key):
            return {words[key]: target}
        return item

    return [entry(item) for item in nav] if isinstance(nav, list) else nav


def palette_names(palette: object, language: str) -> object:
    """Material's palette with its toggle names in `language` where they are Postilla's
    ("Passa al tema scuro" becomes "Switch to dark mode"); other names are kept."""
    words = strings(language)

    def option(item: object) -> object:
        toggle = item.get("toggle") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(toggle, dict):
            return item
        for key in TOGGLE_KEYS:
            if toggle.get("name") in known_words(key):
                return {**item, "toggle": {**toggle, "name": words[key]}}
        return item

    return [option(item) for item in palette] if isinstance(palette, list) else option(palette)
