"""The ``postilla`` command (also ``python -m generator``)."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import __version__, archive, export
from .model import Archive, ContentError, Problem

if TYPE_CHECKING:
    from .annotations import AnnotationSet

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

# A project is a folder holding this file (and, by default, the content folder next to
# it). Commands look for it in the working folder and then in the folders above, as git
# does; paths given on the command line are relative to the working folder, as typed.
CONFIG_FILE = "mkdocs.yml"
CONTENT_DIR = "content"

# The site's own addresses, when mkdocs.yml holds placeholders: options, or these variables
# (the Pages workflow sets them, so a fork's site points at the fork with no file edited).
ADDRESS_VARIABLES = {
    "site_url": "POSTILLA_SITE_URL",
    "repo_url": "POSTILLA_REPO_URL",
    "branch": "POSTILLA_BRANCH",
}


class UsageError(Exception):
    """A command run the wrong way or in the wrong place: said in one line, exit 2."""


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="the archive's content folder (default: content/ of the project: the folder"
        " holding mkdocs.yml, here or above)",
    )
    addresses = argparse.ArgumentParser(add_help=False)
    addresses.add_argument(
        "--site-url",
        metavar="URL",
        help="the site's public address, instead of site_url in mkdocs.yml (or $POSTILLA_SITE_URL)",
    )
    addresses.add_argument(
        "--repo-url",
        metavar="URL",
        help="the repository's address, instead of repo_url in mkdocs.yml"
        " (or $POSTILLA_REPO_URL); the Annotate button opens it",
    )
    addresses.add_argument(
        "--branch",
        metavar="NAME",
        help="the branch annotations are proposed to, instead of the one in edit_uri"
        " (or $POSTILLA_BRANCH)",
    )
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml of the project, here or above)",
    )
    config.add_argument(
        "--wait",
        metavar="SECONDS",
        default=None,
        help="how long to wait for another build of the project (or into the same folder)"
        " to finish before giving up (default: $POSTILLA_LOCK_TIMEOUT, else 600)",
    )
    parser = argparse.ArgumentParser(
        prog="postilla", description="Static annotated-archive site generator."
    )
    parser.add_argument("--version", action="version", version=f"postilla {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    p = commands.add_parser(
        "init", help="make a new, empty archive project (mkdocs.yml, content/, theme, workflows)"
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("import", parents=[common], help="import raw article files")
    p.add_argument("inputs", nargs="*", type=Path, metavar="FILE|DIR")
    p.add_argument(
        "--url", help="original address of the article (one file only), when its header has none"
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="print every line's decision and the metadata found; import nothing",
    )
    p.add_argument(
        "--reclean",
        action="store_true",
        help="regenerate articles from their raw files, except those whose body was edited by hand",
    )
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("build", parents=[common, config, addresses], help="build the site")
    p.add_argument(
        "--site", type=Path, metavar="DIR", help="output folder (default: site_dir of mkdocs.yml)"
    )
    p.add_argument("--strict", action="store_true", help="fail on MkDocs warnings too")
    p.add_argument("--verbose", action="store_true", help="show MkDocs' messages")
    p.add_argument(
        "--part",
        metavar="KEY",
        help="build one part of an archive split by `parts:` in mkdocs.yml (default output:"
        " site-parts/KEY/); `postilla assemble` puts the parts together",
    )
    p.add_argument(
        "--list-parts",
        action="store_true",
        help="print the parts' keys as a JSON list (a GitHub Actions matrix); build nothing",
    )
    p.set_defaults(run=cmd_build)

    p = commands.add_parser(
        "assemble",
        parents=[common, config, addresses],
        help="the site of an archive split into parts: top level and every part built",
    )
    p.add_argument(
        "--parts",
        nargs="+",
        type=Path,
        required=True,
        metavar="DIR",
        help="the parts' folders (`postilla build --part KEY` output), or one folder holding them",
    )
    p.add_argument(
        "--site", type=Path, metavar="DIR", help="output folder (default: site_dir of mkdocs.yml)"
    )
    p.set_defaults(run=cmd_assemble)

    p = commands.add_parser(
        "serve", parents=[common, config, addresses], help="live preview of the site"
    )
    p.add_argument(
        "--dev-addr", metavar="IP:PORT", help="address to serve on (default 127.0.0.1:8000)"
    )
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("check", parents=[common], help="validate the whole content folder")
    p.add_argument(
        "--strict", action="store_true", help="fail on warnings too (re-anchored annotations…)"
    )
    p.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="text: file:line:col: message (default); github: GitHub workflow commands"
        " (::error file=…,line=…::…), so problems show on the lines of a pull request",
    )
    p.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="append a Markdown summary of the annotations added or changed since --base"
        " to FILE (in a workflow: $GITHUB_STEP_SUMMARY)",
    )
    p.add_argument(
        "--base",
        metavar="REF",
        help="the git commit the pull request is compared with, for --summary (e.g. HEAD^1)",
    )
    p.set_defaults(run=cmd_check)

    p = commands.add_parser(
        "annotate", parents=[common], help="write an annotation file for a quote of an article"
    )
    p.add_argument("article", metavar="ARTICLE_ID")
    p.add_argument("quote", help="exact words from the article body")
    p.add_argument(
        "--kind",
        required=True,
        choices=["comment", "context", "fact-check", "correction", "question"],
    )
    p.add_argument("--note", required=True, help="Markdown text of the annotation")
    p.add_argument("--author", required=True, help="your GitHub handle")
    p.add_argument(
        "--verdict", choices=["true", "false", "misleading", "unverified"], help="fact-check only"
    )
    p.add_argument(
        "--tag", action="append", default=[], dest="tags", help="a tag (repeat for more)"
    )
    p.add_argument(
        "--link", action="append", default=[], dest="links", help="a source URL (repeat for more)"
    )
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.set_defaults(run=cmd_annotate)

    p = commands.add_parser(
        "eval",
        help="measure cleaning and metadata against gold labels (NNN.txt + NNN.yml), per set",
        description="Each DIR is one labelled set (e.g. tests/fixtures/corpus, "
        "tests/fixtures/heldout): one table, a row per field and a column per set, then "
        "each set's articles with a wrong field, with the values expected and found.",
    )
    p.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    p.add_argument(
        "--peers",
        action="store_true",
        help="also run jusText, trafilatura and htmldate on the same text and address",
    )
    p.add_argument(
        "--worst",
        type=int,
        default=5,
        metavar="N",
        help="list the N worst articles of each set with their wrong fields (default 5)",
    )
    p.add_argument(
        "--errors",
        action="store_true",
        help="list every article with a wrong field (overrides --worst)",
    )
    p.set_defaults(run=cmd_eval)

    p = commands.add_parser("entities", help="the entity registry: suggestions")
    p.set_defaults(run=lambda _args, parser=p: _no_action(parser))
    actions = p.add_subparsers(title="actions", metavar="ACTION", dest="action")
    q = actions.add_parser(
        "suggest",
        parents=[common],
        help="names in the archive the registry does not know, as YAML stubs",
    )
    q.add_argument(
        "--min-count", type=int, default=2, metavar="N", help="at least N mentions (default 2)"
    )
    q.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N suggestions (default 50)"
    )
    q.set_defaults(run=cmd_entities_suggest)

    p = commands.add_parser("annotations", help="annotations made with other tools")
    p.set_defaults(run=lambda _args, parser=p: _no_action(parser, "import"))
    actions = p.add_subparsers(title="actions", metavar="ACTION", dest="action")
    q = actions.add_parser(
        "import",
        parents=[common],
        help="Hypothesis or W3C Web Annotation JSON as annotation files under content/annotations/",
    )
    q.add_argument("inputs", nargs="+", type=Path, metavar="FILE")
    q.add_argument(
        "--dry-run", action="store_true", help="say what would be written; write nothing"
    )
    q.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="also write every row's outcome here as JSON Lines (rows not imported in full)",
    )
    q.set_defaults(run=cmd_annotations_import)

    p = commands.add_parser("export", parents=[common], help="the archive as data")
    p.add_argument("--format", choices=sorted(export.FORMATS), default="jsonl")
    p.add_argument(
        "--output", type=Path, metavar="FILE", help="write here instead of standard output"
    )
    p.set_defaults(run=cmd_export)
    return parser


def _no_action(parser: argparse.ArgumentParser, actions: str = "suggest") -> int:
    parser.print_usage(sys.stderr)
    print(f"error: name an action ({actions})", file=sys.stderr)
    return EXIT_USAGE


# --- where a command runs -------------------------------------------------------


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder holding mkdocs.yml: `start` (default: the working folder) or
    one above it, as git finds its repository; None outside any project."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _outside(what: str) -> UsageError:
    here = Path.cwd().resolve()
    return UsageError(
        f"not in a Postilla project: no {CONFIG_FILE} in {here} or any folder above it"
        f" — run this in a project folder, pass {what}, or make a project with `postilla init DIR`"
    )


def config_file(args: argparse.Namespace) -> Path:
    """The MkDocs configuration a build uses: --config as given, else the project's."""
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"{args.config}: no such MkDocs configuration file (--config)")
        return Path(args.config)
    root = find_project()
    if root is None:
        raise _outside("--config FILE")
    return root / CONFIG_FILE


def content_folder(args: argparse.Namespace, config: Path | None = None) -> Path:
    """The content folder a command works on: --content as given, else content/ next to
    `config` or to the project's mkdocs.yml. It must exist: Postilla never makes one
    (`postilla init` does), so a typo never leaves a stray content folder behind."""
    if args.content is not None:
        if not args.content.is_dir():
            raise UsageError(
                f"{args.content}: no such content folder (--content) — nothing written;"
                " `postilla init DIR` makes a new project"
            )
        return Path(args.content)
    root = config.parent if config is not None else find_project()
    if root is None:
        raise _outside("--content DIR")
    content = root / CONTENT_DIR
    if not content.is_dir():
        raise UsageError(
            f"no {CONTENT_DIR}/ folder in the project {root.resolve()} — pass --content DIR"
        )
    return content


def web_address(value: str, source: str, example: str) -> str:
    """`value` if it is an absolute http(s) address; UsageError naming `source` if not."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise UsageError(f"{source} {value!r} is not an http(s) address (such as {example})")
    return value


def address_overrides(args: argparse.Namespace, config: Path, content: Path) -> dict[str, str]:
    """MkDocs settings that replace the placeholders of mkdocs.yml: the site's address
    (always ending in /), the repository's, and the branch of the Annotate button (as
    edit_uri, where the plugin reads it). Options win over environment variables; an
    empty variable counts as unset."""
    overrides: dict[str, str] = {}
    for key, variable in ADDRESS_VARIABLES.items():
        option = f"--{key.replace('_', '-')}"
        value = getattr(args, key, None)
        source = option
        if value is None:
            value, source = os.environ.get(variable, "").strip() or None, f"${variable}"
        if value is None:
            continue
        if key == "branch":
            if not re.fullmatch(r"[A-Za-z0-9._-]+", value) or value.startswith("."):
                raise UsageError(
                    f"{source} {value!r} is not a branch name the Annotate button can use"
                    " (letters, digits, . _ -)"
                )
            try:
                folder = content.resolve().relative_to(config.resolve().parent).as_posix()
            except ValueError:
                folder = content.name
            overrides["edit_uri"] = f"edit/{value}/{folder}/"
        elif key == "site_url":
            value = web_address(value, source, "https://alice.github.io/archive/")
            overrides[key] = value if value.endswith("/") else value + "/"
        else:
            overrides[key] = web_address(value, source, "https://github.com/alice/archive")
            overrides[key] = overrides[key].rstrip("/")
    return overrides


# --- commands ---------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from .project import ProjectError, init_project

    try:
        written = init_project(args.folder)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    shown = archive.display_path(args.folder)
    print(f"made a new archive in {shown} ({len(written)} files). Next:")
    print(f"  cd {shown} && postilla import FILE|DIR… && postilla check && postilla build")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from . import importer
    from .cache import CACHE_DIR, NO_CACHE, Cache

    if args.explain:  # reads the files named, writes nothing: works anywhere
        if not args.inputs:
            print("error: name the raw files or folders to explain", file=sys.stderr)
            return EXIT_USAGE
        return explain(importer.expand_inputs(args.inputs), args.url)
    content = content_folder(args)
    if args.reclean:
        if args.inputs:
            print("error: --reclean works on the whole archive; give no files", file=sys.stderr)
            return EXIT_USAGE
        outcomes = importer.reclean(content)
        kept = [o for o in outcomes if o.status == "kept-edited"]
        for outcome in outcomes:
            print(outcome, file=sys.stderr if outcome.status == "error" else sys.stdout)
        if kept:
            print(
                f"{len(kept)} hand-edited article(s) left alone: "
                + ", ".join(o.article_id or "" for o in kept)
            )
        return EXIT_PROBLEMS if any(o.status == "error" for o in outcomes) else EXIT_OK
    if not args.inputs:
        print("error: name the raw files or folders to import", file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in args.inputs if not p.exists()]
    if missing:
        for path in missing:
            print(f"error: {path}: no such file or folder", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.url and len(importer.expand_inputs(args.inputs)) != 1:
        print("error: --url goes with exactly one file", file=sys.stderr)
        return EXIT_USAGE
    if args.url:
        from .ingest import is_web_url

        if not is_web_url(args.url):
            print(f"error: --url {args.url!r} is not an http(s) address", file=sys.stderr)
            return EXIT_USAGE
    # The build cache of the project the content folder is in, read (never written) for
    # what a daily import would otherwise make again for every archived article.
    project = content.resolve().parent
    cache = Cache(project / CACHE_DIR) if (project / CONFIG_FILE).is_file() else NO_CACHE
    outcomes = importer.import_files(args.inputs, content, url=args.url, cache=cache)
    for outcome in outcomes:
        print(outcome, file=sys.stderr if outcome.status == "error" else sys.stdout)
    if not outcomes:
        print("error: no raw files found in the given folders (.txt files)", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_PROBLEMS if any(o.status == "error" for o in outcomes) else EXIT_OK


def ignore_file_size_signal() -> None:
    """Past the file-size limit (ulimit -f) a write then fails with EFBIG, which the build
    reports in one line, instead of the signal killing the process mid-build."""
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import MkDocsException, build_site
    from .locks import lock_timeout

    config = config_file(args)
    content = content_folder(args, config)
    overrides = address_overrides(args, config, content)
    if args.list_parts:
        from .parts import listed_parts

        print(json.dumps(listed_parts(config, content)))
        return EXIT_OK
    ignore_file_size_signal()
    try:
        result = build_site(
            config,
            content,
            args.site,
            strict=args.strict,
            verbose=args.verbose,
            overrides=overrides,
            lock_wait=lock_timeout(args.wait),
            part=args.part,
        )
    except MkDocsException as exc:
        print(f"error: the build failed: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"Built {result.pages} pages into {archive.display_path(result.site)} in {result.seconds:.1f} s"
    )
    return EXIT_OK


def cmd_assemble(args: argparse.Namespace) -> int:
    from .build import MkDocsException
    from .locks import lock_timeout
    from .parts import assemble, part_folders

    config = config_file(args)
    content = content_folder(args, config)
    overrides = address_overrides(args, config, content)
    ignore_file_size_signal()
    target = args.site or config.parent / "site"
    try:
        result = assemble(
            config,
            content,
            part_folders(args.parts),
            target,
            overrides=overrides,
            lock_wait=lock_timeout(args.wait),
        )
    except MkDocsException as exc:
        print(f"error: the assembly failed: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"Assembled {len(result.parts)} parts ({result.articles} articles) into"
        f" {archive.display_path(result.site)} in {result.seconds:.1f} s"
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .build import MkDocsException, serve_site
    from .locks import lock_timeout

    config = config_file(args)
    content = content_folder(args, config)
    overrides = address_overrides(args, config, content)
    ignore_file_size_signal()
    try:
        serve_site(
            config,
            content,
            args.dev_addr,
            overrides=overrides,
            lock_wait=lock_timeout(args.wait),
        )
    except MkDocsException as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .annotations import annotation_paths

    if (args.summary is None) != (args.base is None):
        raise UsageError("--summary FILE and --base REF go together")
    content = content_folder(args)
    problems, notes, loaded = check_content(content)
    root = repository_root(content)
    for problem in problems:
        if args.format == "github":
            print(github_command(problem, root))
        else:
            print(problem, file=sys.stderr)
    if args.summary is not None:
        from .annotations import summary_markdown

        changed = changed_annotation_items(content, args.base)
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(summary_markdown(notes, problems, changed))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors or (args.strict and warnings):
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"ok: {len(loaded.articles)} articles, {len(loaded.sources)} sources,"
        f" {len(loaded.entities)} entities, {len(annotation_paths(content))} annotation files;"
        f" {warnings} warning(s)"
    )
    return EXIT_OK


def check(content: Path) -> list[Problem]:
    """Every problem in the content folder: front matter, registries, raw files, duplicates,
    annotations (schema, anchoring, and what cleaning does to their notes)."""
    return check_content(content)[0]


def check_content(content: Path) -> tuple[list[Problem], AnnotationSet, Archive]:
    """`check`'s problems, the annotations as anchored (for a summary), and the archive's
    valid part (read once: 200,000 articles take minutes)."""
    from .annotations import AnnotationSet, load_annotations
    from .render import note_cleaning

    if not content.is_dir():
        missing = Problem(str(content), None, "content folder not found — pass --content DIR")
        return [missing], AnnotationSet(), Archive((), (), ())
    loaded, problems = archive.load_archive(content, verify_raw=True)
    notes = load_annotations(content, {a.id: a for a in loaded.articles}, note_cleaning)
    problems += list(notes.problems)
    referenced = {a.raw for a in loaded.articles}
    article_ids = {p.stem for p in archive.article_paths(content)}
    raw_dir = content / archive.RAW
    for path in sorted(raw_dir.glob("*")) if raw_dir.is_dir() else []:
        relative = f"{archive.RAW}/{path.name}"
        if (
            path.is_file()
            and not path.name.startswith(".")
            and relative not in referenced
            and path.stem not in article_ids  # an article that failed to load has its own error
        ):
            problems.append(
                Problem(
                    archive.display_path(path),
                    None,
                    "raw file not used by any article",
                    severity="warning",
                )
            )
    return problems, notes, loaded


# --- GitHub: workflow commands and the pull request's summary ------------------------


def repository_root(content: Path) -> Path:
    """The root of the git repository holding `content` (GitHub names files from it);
    the content folder's parent outside any repository."""
    folder = content.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder.parent


def _escape_data(value: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """A workflow command's property value (escapeProperty): also `:` and `,`."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_command(problem: Problem, root: Path) -> str:
    """`problem` as a GitHub workflow command (``::error file=…,line=…,col=…::…``), its
    file relative to the repository's root, so it shows on that line of a pull request."""
    path = Path(problem.path)
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    properties = [f"file={_escape_property(shown)}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
        if problem.column is not None:
            properties.append(f"col={problem.column}")
    properties.append(f"title={_escape_property('postilla check')}")
    return f"::{problem.severity} {','.join(properties)}::{_escape_data(problem.message)}"


def changed_annotation_items(content: Path, base: str) -> dict[str, dict[int, str]]:
    """The annotation files changed since the git commit `base` (by their shown path),
    each with the annotations added or changed in it (see `annotations.changed_items`)."""
    import subprocess

    from .annotations import ANNOTATIONS, changed_items

    folder = content / ANNOTATIONS
    root = repository_root(content)

    def git(*words: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(root), *words], capture_output=True, text=True, check=False
        )

    listed = git("diff", "--name-only", "--diff-filter=AMR", base, "--", str(folder.resolve()))
    if listed.returncode != 0:
        raise UsageError(f"--base {base!r}: git cannot compare with it: {listed.stderr.strip()}")
    untracked = git("ls-files", "--others", "--exclude-standard", "--", str(folder.resolve()))
    changed: dict[str, dict[int, str]] = {}
    for name in sorted(set(listed.stdout.splitlines() + untracked.stdout.splitlines())):
        path = root / name
        if not name.endswith(".yml") or not path.is_file():
            continue
        old = git("show", f"{base}:{name}")
        text = path.read_text("utf-8", errors="replace")
        changed[archive.display_path(path)] = changed_items(
            text, old.stdout if old.returncode == 0 else None
        )
    return changed


def loaded_archive(content: Path) -> Archive:
    """The archive under `content`; ContentError (every error) when it has any."""
    loaded, problems = archive.load_archive(content)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    return loaded


def cmd_export(args: argparse.Namespace) -> int:
    content = content_folder(args)
    loaded = loaded_archive(content)
    from .annotations import load_annotations

    notes = load_annotations(content, {a.id: a for a in loaded.articles})
    text = export.FORMATS[args.format](export.records(loaded, notes=notes))
    if args.output:
        archive.write_text_atomic(args.output, text)
        print(f"{len(loaded.articles)} articles written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def explain(paths: list[Path], url: str | None) -> int:
    """Print each file's line-by-line decisions, repairs and metadata; write nothing."""
    from . import dates
    from .clean import clean
    from .ingest import read_raw
    from .metadata import date_candidates, extract

    status = EXIT_OK
    for path in paths:
        try:
            raw = read_raw(path, archive.display_path(path))
        except ContentError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        cleaned = clean(raw, url=url)
        metadata = extract(raw, cleaned, url=url)
        print(f"== {archive.display_path(path)} ({raw.encoding})")
        for d in cleaned.decisions:
            print(f"{d.number:>4} {d.label:<6} {d.rule:<20} {d.text[:90]}")
        for repair in cleaned.repairs:
            print(f"     repair: {repair}")
        for note in cleaned.footnotes:
            print(f"     footnote: {note}")
        print("     headline candidates (score: evidence):")
        for number, text, score, evidence in sorted(
            cleaned.headline_candidates, key=lambda c: -c[2]
        ):
            print(f"     {score:>6.2f}  line {number}: {text[:70]!r}")
            print(f"             {'; '.join(evidence)}")
        print(
            "     date candidates (most trusted first, a headline's only with a header that"
            " agrees; then the header, then the address):"
        )
        for candidate in sorted(date_candidates(cleaned), key=lambda c: dates.ROLE_RANK[c.role]):
            print(
                f"     {candidate.role:>10}  line {candidate.line}: {candidate.value}"
                f"  {candidate.text[:60]!r}"
            )
        for key, value in vars(metadata).items():
            print(f"     {key}: {value}")
        if not cleaned.paragraphs:
            print("     (no article text: import would refuse this file)")
    return status


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate

    status = EXIT_OK
    names = ["postilla"]
    if args.peers:
        names += [n for n in evaluate.PEERS if evaluate.available(n)]
        missing = [n for n in evaluate.PEERS if n not in names]
        if missing:
            print(f"note: not installed: {', '.join(missing)} (pip install -e '.[test]')")
    sets: list[tuple[str, list[evaluate.GoldCase]]] = []
    for folder in args.folders:
        if not folder.is_dir():
            print(f"error: {folder}: no such folder", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        try:
            cases = evaluate.load_gold(folder)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        if not cases:
            print(f"error: {folder}: no gold files (NNN.yml next to NNN.txt)", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        label = folder.resolve().name or str(folder)
        taken = {name for name, _ in sets}
        if label in taken:
            label = str(folder)
        sets.append((label, cases))
    if not sets:
        return status
    summaries = [evaluate.evaluate(cases, name, label) for label, cases in sets for name in names]
    print(evaluate.table(summaries))
    limit = None if args.errors else args.worst
    if limit != 0:
        for summary in summaries:
            if summary.name == "postilla":
                print()
                print(evaluate.errors(summary, limit))
    return status


def cmd_entities_suggest(args: argparse.Namespace) -> int:
    from .suggest import suggest

    content = content_folder(args)
    sys.stdout.write(suggest(loaded_archive(content), min_count=args.min_count, limit=args.limit))
    return EXIT_OK


def cmd_annotations_import(args: argparse.Namespace) -> int:
    """Write annotation files for annotations made with Hypothesis or a W3C tool. Every
    input is read before anything is written, so a bad file changes nothing; each row not
    imported is named with the reason. Exit 1 when there were rows and none was imported
    nor already there."""
    from datetime import date

    from . import annotation_import as ai
    from .annotations import load_annotations

    content = content_folder(args)
    today = date.today().isoformat()
    items: list[ai.Incoming] = []
    unread: list[ai.Outcome] = []
    for path in args.inputs:
        shown = archive.display_path(path)
        if not path.is_file():
            print(f"error: {shown}: no such file — nothing imported", file=sys.stderr)
            return EXIT_PROBLEMS
        try:
            read, failed = ai.read_input(path, shown, today)
        except ai.ImportInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        items += read
        unread += failed
    loaded = loaded_archive(content)
    articles = {a.id: a for a in loaded.articles}
    plan = ai.plan_import(items, articles, load_annotations(content, articles).anchored, content)
    outcomes = ai.all_outcomes(plan, unread)
    for outcome in outcomes:
        if outcome.status == "skipped":
            print(outcome, file=sys.stderr)
        elif outcome.status == "already" or "re-anchored" in outcome.reason:
            print(outcome)
    for planned in plan.files:
        if not args.dry_run:
            archive.write_text_atomic(planned.path, planned.text)
        print(
            f"{'would write' if args.dry_run else 'wrote'} {archive.display_path(planned.path)}"
            f" ({planned.annotations} annotation(s), {planned.replies} repl(ies))"
        )
    if args.report:
        archive.write_text_atomic(args.report, "".join(ai.report_lines(outcomes)))
    imported, already = plan.count("imported"), plan.count("already")
    print(
        f"{len(outcomes)} row(s): {imported} imported, {plan.count('reply')} repl(ies),"
        f" {already} already there, {sum(o.status == 'skipped' for o in outcomes)} not imported"
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    return EXIT_PROBLEMS if outcomes and not imported and not already else EXIT_OK


def cmd_annotate(args: argparse.Namespace) -> int:
    """Write a new annotation file with enough prefix/suffix to be unambiguous, after
    checking it exactly as `postilla check` will."""
    from datetime import date

    from . import annotations

    content = content_folder(args)
    path = content / archive.ARTICLES / f"{args.article}.md"
    if not path.is_file():
        ids = sorted(p.stem for p in archive.article_paths(content))
        import difflib

        near = difflib.get_close_matches(args.article, ids, n=3, cutoff=0.5)
        hint = f" — did you mean {', '.join(near)}?" if near else ""
        print(f"error: no article {args.article!r} in {content}/articles{hint}", file=sys.stderr)
        return EXIT_PROBLEMS
    article = archive.read_article(path)
    new = annotations.NewAnnotation(
        article=args.article,
        quote=args.quote,
        kind=args.kind,
        note=args.note,
        author=args.author,
        date=args.date or date.today().isoformat(),
        verdict=args.verdict,
        tags=tuple(args.tags),
        links=tuple(args.links),
    )
    probe = annotations.Annotation(
        id="probe",
        article=new.article,
        quote=new.quote,
        note=new.note,
        kind=new.kind,
        author=new.author,
        date=new.date,
        path="(command line)",
    )
    found = annotations.anchor(probe, article.body_text)
    if isinstance(found, Problem) and "occurs" not in found.message:
        print(f"error: {found.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    start = article.body_text.find(new.quote) if isinstance(found, Problem) else found.start
    if start < 0:  # several occurrences, written differently (quotes, spaces): the first one
        start = found.start if not isinstance(found, Problem) else 0
    prefix, suffix = annotations.context_for(article.body_text, start, start + len(new.quote))
    text = annotations.render_file(new, prefix, suffix)
    target = annotations.new_file_path(content, new)
    if target.exists():
        print(
            f"error: {archive.display_path(target)} exists already — nothing written",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    _, problems = annotations.parse_file(
        text, str(target), {a.stem for a in archive.article_paths(content)}
    )
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    archive.write_text_atomic(target, text)
    print(f"wrote {archive.display_path(target)}")
    return EXIT_OK
