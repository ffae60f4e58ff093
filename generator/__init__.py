"""Postilla: a static annotated-archive site generator.

Stages, one module each: ingest → clean → metadata → importer (writes content/),
then archive (reads content/) → site/render → plugin (MkDocs) → build.
"""

__version__ = "0.1.0"
