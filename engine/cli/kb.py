"""`sentinel kb ...`: the knowledge base from the command line.

    import PATH...      add or update documents in the library (progress bar on stderr)
    search QUERY        search as this workstation's role and department
    list / remove DOC / tag DOC      what is there; take a document out; correct its tags
    reindex [--reembed] rebuild the vector files from the database (or embed everything again)
    keygen KEYFILE      make the ed25519 signing key IT keeps on the publishing machine
    publish OUT         write signed bundles, one per access level
    pull [SOURCE]       fetch, verify and switch to the newest bundle the role may read
    eval FILE.jsonl     recall@k and MRR of the installed knowledge base
    feedback            record a doctor's verdict on a cited chunk, or list them

Knowledge-base errors print one line and exit 2 (bad input), 3 (box needed for embeddings
and unreachable) or 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import BadInput

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]
LEVEL_CHOICES = ("public", "department", "restricted")


def _guarded(handler: Handler) -> Handler:
    """Knowledge-base errors are the user's or the environment's: one clear line, no trace."""

    def run(args: argparse.Namespace) -> int:
        from kb import KBError

        try:
            return handler(args)
        except KBError as exc:
            log.debug("sentinel kb %s failed", args.kb_command, exc_info=True)
            print(f"sentinel kb: error: {exc}", file=sys.stderr)
            return exc.exit_code

    return run


def _settings() -> Any:
    from engine.settings import Settings

    return Settings.load()


def _open_store(args: argparse.Namespace, *, write: bool = False) -> Any:
    """The store a command works on: --store DIR, the library, or the installed bundle."""
    from engine.drafting.knowledge import library_folder, open_knowledge
    from kb import KnowledgeStore
    from kb.errors import NoKnowledgeBase

    if getattr(args, "store", None):
        return KnowledgeStore.open(Path(args.store), readonly=False, create=write)
    if write or getattr(args, "library", False):
        return KnowledgeStore.open(library_folder(), create=write)
    store = open_knowledge()
    if store is None:
        raise NoKnowledgeBase("no knowledge base here: pull one with `sentinel kb pull` or "
                              "import documents with `sentinel kb import`")
    return store


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _split_tags(values: list[str] | None) -> tuple[str, ...]:
    tags: list[str] = []
    for value in values or []:
        tags.extend(part.strip() for part in value.replace("，", ",").split(",") if part.strip())
    return tuple(tags)


# -- import ----------------------------------------------------------------------------
def _progress_bar() -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: list[Any] = []

    def update(done: int, total: int, path: str) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit="file", file=sys.stderr, disable=None,
                            desc="importing"))
        bar[0].n = done
        bar[0].set_postfix_str(Path(path).name if path else "", refresh=True)

    def close() -> None:
        if bar:
            bar[0].close()

    return update, close


def cmd_import(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import embedder_for
    from kb import HOSPITAL_WIDE, ImportOptions, import_paths

    settings = _settings()
    options = ImportOptions(
        department=args.department or HOSPITAL_WIDE, level=args.level,
        tags=_split_tags(args.tags), version_label=args.doc_version or "",
    )
    with _open_store(args, write=True) as store:
        embedder = embedder_for(store, settings) if args.embedder is None else \
            _named_embedder(args.embedder, store.embedder, settings)
        update, close = _progress_bar()
        try:
            report = import_paths(store, [Path(p) for p in args.paths], options=options,
                                  embedder=embedder, progress=update)
        finally:
            close()

    for outcome in report.skipped:
        print(f"skipped {outcome.path}: {outcome.reason}", file=sys.stderr)
    print(f"{report.count('added')} added, {report.count('replaced')} replaced, "
          f"{report.count('unchanged')} unchanged, {len(report.skipped)} skipped; "
          f"{report.chunks} chunks in {report.seconds:.1f} s"
          + (f" (embedding {report.embed_seconds:.1f} s)" if embedder else " (no embedder)"))
    return 2 if report.skipped and not (report.count("added") + report.count("replaced") +
                                        report.count("unchanged")) else 0


def _named_embedder(choice: str, recorded: str | None, settings: Any) -> Any:
    import os

    from kb import make_embedder

    urls = settings.get("inference_urls")
    return make_embedder(choice, recorded=recorded, box_url=urls[0] if urls else "",
                         box_model=settings.get("kb_embedding_model"),
                         api_key=os.environ.get("SENTINEL_API_KEY") or None)


# -- search ----------------------------------------------------------------------------
def _filter(args: argparse.Namespace) -> Any:
    from kb import SearchFilter

    return SearchFilter(department=args.department, level=args.level,
                        tags=_split_tags(getattr(args, "tag", None)))


def cmd_search(args: argparse.Namespace) -> int:
    from engine.cli.inputs import read_text
    from engine.drafting.knowledge import embedder_for, reader_from
    from kb import search

    # '-' reads stdin; other text goes to kb as given, whose errors name what is wrong.
    query = read_text(args.query, what="QUERY", limit=2000) if args.query == "-" else args.query
    settings = _settings()
    with _open_store(args) as store:
        result = search(store, query, reader=reader_from(settings), k=args.k,
                        search_filter=_filter(args), embedder=embedder_for(store, settings))
    if args.json:
        _print_json(result.as_dict())
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not result.hits:
        print("no readable chunk matches")
        return 0
    for number, hit in enumerate(result.hits, 1):
        section = f" › {hit.section}" if hit.section else ""
        print(f"{number}. {hit.document}{section}  ({hit.version}, {hit.level}, "
              f"{hit.department}, chunk {hit.chunk_id}, chars {hit.start}-{hit.end})")
        print("   " + hit.text.replace("\n", "\n   "))
        print(f"   why: {hit.explain()}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import reader_from

    with _open_store(args) as store:
        documents = store.documents(reader_from(_settings()))
        info = {"kb_version": store.version, "embedder": store.embedder,
                "chunks": store.chunk_count()}
    if args.json:
        _print_json({**info, "documents": [doc.__dict__ for doc in documents]})
        return 0
    print(f"knowledge base {info['kb_version']}: {len(documents)} readable documents, "
          f"embedder {info['embedder'] or 'none (words only)'}")
    for doc in documents:
        tags = ", ".join(f"{tag}*" if origin == "editor" else tag
                         for tag, origin in doc.tags.items())
        print(f"{doc.id:>4}  {doc.key}  [{doc.level}, {doc.department}, {doc.version}, "
              f"{doc.chunks} chunks]  {doc.title}" + (f"  tags: {tags}" if tags else ""))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import reader_from

    with _open_store(args, write=True) as store:
        doc = store.remove_document(args.document, reader_from(_settings()))
        store.rebuild_index()
    print(f"removed {doc.key} ({doc.chunks} chunks)")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import reader_from

    if not args.add and not args.remove:
        raise BadInput("give --add TAG or --remove TAG")
    with _open_store(args, write=True) as store:
        doc = store.edit_tags(args.document, reader_from(_settings()),
                              add=_split_tags(args.add), remove=_split_tags(args.remove))
    print(f"{doc.key}: tags {', '.join(doc.tags) or '(none)'}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from kb.embedders import normalise_rows

    settings = _settings()
    with _open_store(args, write=True) as store:
        if args.reembed:
            # A chosen embedder starts afresh; otherwise the setting decides (auto: the
            # store's own embedder when it can run here).
            embedder = _named_embedder(args.embedder, None, settings) if args.embedder else \
                _named_embedder(settings.get("kb_embedder"), store.embedder, settings)
            if embedder is None:
                raise BadInput("--reembed needs an embedder: set kb_embedder or --embedder")
            rows = list(store.all_chunks())
            vectors = embedder.embed_passages([f"{s}\n{t}" for _, s, t in rows]) \
                if rows else normalise_rows([[1.0]], source="none")[:0]
            store.replace_vectors([cid for cid, _, _ in rows], vectors, embedder.identity)
        index = store.rebuild_index()
    print("vector files rebuilt" if index else "no vectors to index (words-only store)")
    return 0


# -- bundles ---------------------------------------------------------------------------
def cmd_keygen(args: argparse.Namespace) -> int:
    from kb import generate_key

    public = generate_key(Path(args.keyfile))
    print(f"signing key written to {args.keyfile} (keep it on this machine only)")
    print(f"public key for kb_public_key: {public}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from kb import LEVELS, load_signing_key, publish

    key = load_signing_key(Path(args.key))
    levels = tuple(args.level) if args.level else LEVELS
    with _open_store(args, write=False) if args.store else _library() as store:
        bundles = publish(store, Path(args.out), key, levels=levels)
    for bundle in bundles:
        print(f"{bundle.level}: {bundle.version}  {bundle.documents} documents, "
              f"{bundle.chunks} chunks -> {bundle.folder}")
    return 0


def _library() -> Any:
    from engine.drafting.knowledge import library_folder
    from kb import KnowledgeStore

    return KnowledgeStore.open(library_folder())


def cmd_pull(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import kb_folder
    from kb import Reader, bundle_level, load_public_key, open_source, pull
    from kb.access import LEVELS as ALL_LEVELS

    settings = _settings()
    role = settings.get("role")
    allowed = Reader(role).readable_levels()
    level = args.level or bundle_level(role)
    if ALL_LEVELS.index(level) > ALL_LEVELS.index(allowed[-1]):
        raise BadInput(f"role {role} may not pull the {level} bundle (at most {allowed[-1]})")
    public_key = load_public_key(settings.get("kb_public_key"))
    source = open_source(args.source or settings.get("kb_source"))
    try:
        result = pull(source, kb_folder(), level=level, public_key=public_key,
                      allow_older=args.allow_older)
    finally:
        source.close()
    if result.status == "current":
        print(f"{level} bundle {result.version} is already installed")
    else:
        print(f"installed {level} bundle {result.version} ({result.documents} documents, "
              f"{result.chunks} chunks); was {result.previous or 'none'}")
    return 0


# -- measuring -------------------------------------------------------------------------
def cmd_eval(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import embedder_for, reader_from
    from kb import evaluate, read_cases, search

    if not 1 <= args.k <= 50:
        raise BadInput("--k must be from 1 to 50")
    cases = read_cases(Path(args.file))
    settings = _settings()
    reader = reader_from(settings)
    with _open_store(args) as store:
        embedder = embedder_for(store, settings)
        report = evaluate(cases, lambda case, k: search(
            store, case.query, reader=reader, k=k, search_filter=case.search_filter,
            embedder=embedder), args.k)
    if args.json:
        _print_json(report.as_dict())
        return 0
    print(f"recall@{report.k} {report.recall_at_k:.3f}  MRR {report.mrr:.3f}  "
          f"({report.n} queries)")
    for miss in report.misses:
        print(f"  missed line {miss['line']}: {miss['query']} -> {', '.join(miss['got']) or '-'}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from engine.drafting.knowledge import feedback_folder, reader_from
    from kb import FeedbackEntry, FeedbackLog

    if args.list:
        with FeedbackLog(feedback_folder()) as feedback:
            entries = feedback.entries()
        if args.json:
            _print_json(entries)
        else:
            for row in entries:
                print(f"{row['created_at']}  {row['verdict']:<10} {row['document']}"
                      f" › {row['section']} ({row['document_version']}, "
                      f"{row['kb_version']})  {row['correction']}")
        return 0
    if args.chunk is None or args.verdict is None:
        raise BadInput("give --chunk ID and --verdict, or --list")

    settings = _settings()
    reader = reader_from(settings)
    with _open_store(args) as store:
        row = store.chunk(args.chunk, reader)
        kb_version = store.version
    if row is None:
        raise BadInput(f"no readable chunk {args.chunk}; use the chunk id a draft cited")
    entry = FeedbackEntry(
        verdict=args.verdict, document=row.doc_key, section=row.section,
        document_version=row.version, kb_version=kb_version, chunk_id=row.id,
        correction=args.correction or "", draft_id=args.draft or "",
        role=reader.role, department=reader.department,
    )
    with FeedbackLog(feedback_folder()) as feedback:
        number = feedback.record(entry)
    print(f"feedback {number} recorded: {entry.verdict} on {row.doc_key} › {row.section}")
    return 0


# -- parser ----------------------------------------------------------------------------
def _store_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--library", action="store_true",
                       help="use the local library even when a bundle is installed")
    where.add_argument("--store", metavar="DIR", help="use the store in DIR")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--department", help="only documents of this department")
    parser.add_argument("--level", choices=LEVEL_CHOICES, help="only documents of this level")
    parser.add_argument("--tag", action="append", help="only documents with this tag "
                        "(repeat or comma-separate for all of several)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("kb", help="the knowledge base: import, search, publish, "
                                   "pull, measure", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="kb_command", metavar="KB_COMMAND",
                                     parser_class=type(parser))
    commands.required = True

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text,
                                                           description=help_text)
        sub.set_defaults(handler=_guarded(handler))
        return sub

    sub = add("import", cmd_import, "add or update documents (md, txt, html, docx, pdf)")
    sub.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    sub.add_argument("--department", help="owning department (default 全院, hospital-wide)")
    sub.add_argument("--level", choices=LEVEL_CHOICES, default="public",
                     help="who may read it (default public)")
    sub.add_argument("--tags", action="append", help="tags to add, comma-separated")
    sub.add_argument("--doc-version", help="the document's own version label, e.g. 2024版")
    sub.add_argument("--embedder", choices=("auto", "box", "local", "none"),
                     help="override kb_embedder for this import")
    sub.add_argument("--store", metavar="DIR", help="import into the store in DIR")

    sub = add("search", cmd_search, "search as this workstation's role and department")
    sub.add_argument("query", metavar="QUERY", help="words to search for ('-' reads stdin)")
    _filter_options(sub)
    sub.add_argument("--k", type=int, default=5, help="how many hits (default 5)")
    sub.add_argument("--json", action="store_true", help="print JSON with explanations")
    _store_options(sub)

    sub = add("list", cmd_list, "list the readable documents")
    sub.add_argument("--json", action="store_true")
    _store_options(sub)

    sub = add("remove", cmd_remove, "remove a document from the library")
    sub.add_argument("document", metavar="DOC", help="document id or key (see list)")
    sub.add_argument("--store", metavar="DIR")

    sub = add("tag", cmd_tag, "correct a document's tags (kept across re-imports)")
    sub.add_argument("document", metavar="DOC")
    sub.add_argument("--add", action="append", help="tags to add")
    sub.add_argument("--remove", action="append", help="tags to remove")
    sub.add_argument("--store", metavar="DIR")

    sub = add("reindex", cmd_reindex, "rebuild the vector files from the database")
    sub.add_argument("--reembed", action="store_true", help="embed every chunk again")
    sub.add_argument("--embedder", choices=("box", "local"), help="embedder for --reembed")
    sub.add_argument("--store", metavar="DIR")

    sub = add("keygen", cmd_keygen, "make an ed25519 key for signing bundles")
    sub.add_argument("keyfile", metavar="KEYFILE", help="where to write the private key")

    sub = add("publish", cmd_publish, "write signed bundles, one per access level")
    sub.add_argument("out", metavar="OUT", help="publish folder (shared folder or web root)")
    sub.add_argument("--key", required=True, metavar="KEYFILE", help="signing key")
    sub.add_argument("--level", action="append", choices=LEVEL_CHOICES,
                     help="only this level (repeatable; default all three)")
    sub.add_argument("--store", metavar="DIR", help="publish the store in DIR")

    sub = add("pull", cmd_pull, "fetch, verify and install the newest bundle")
    sub.add_argument("source", nargs="?", metavar="SOURCE",
                     help="folder, UNC path or http(s) URL (default: setting kb_source)")
    sub.add_argument("--level", choices=LEVEL_CHOICES,
                     help="bundle level (default: the widest the role may read)")
    sub.add_argument("--allow-older", action="store_true", help="accept an older bundle")

    sub = add("eval", cmd_eval, "recall@k and MRR over a JSONL file of queries")
    sub.add_argument("file", metavar="FILE.jsonl")
    sub.add_argument("--k", type=int, default=5)
    sub.add_argument("--json", action="store_true",
                     help='print {"recall_at_k", "mrr", "k", "n"}')
    _store_options(sub)

    sub = add("feedback", cmd_feedback, "record a doctor's verdict on a cited chunk")
    sub.add_argument("--chunk", type=int, metavar="ID", help="chunk id from the citation")
    sub.add_argument("--verdict", choices=("useful", "irrelevant", "wrong", "outdated"))
    sub.add_argument("--correction", help="what the knowledge should say instead")
    sub.add_argument("--draft", metavar="DRAFT_ID", help="the draft that cited it")
    sub.add_argument("--list", action="store_true", help="list recorded feedback")
    sub.add_argument("--json", action="store_true")
    _store_options(sub)
