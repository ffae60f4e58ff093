"""The search index: Pagefind, run over the built site.

Pagefind stems words in each page's language (``<html lang="it">``: Italian
Snowball, so ``talebano`` finds ``talebani``) and splits its index into chunks a
browser fetches per query, so a search stays small however large the archive.
Only article bodies are indexed (``data-pagefind-body`` in `render`); the
metadata panel and the removed lines are left out of the text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError


def index_site(site: Path) -> None:
    """Write the Pagefind index into ``site/pagefind/``; raise PluginError if it fails."""
    # The `pagefind` package ships its binary (pagefind_bin): nothing is downloaded.
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PluginError(f"Pagefind could not index {site}:\n{done.stdout}{done.stderr}")
