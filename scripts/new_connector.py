#!/usr/bin/env python3
"""Start a connector of your own from a copy of the template connector (``extensions/myconnector``).

    python scripts/new_connector.py acmecall --title "Acme Call"
    python scripts/new_connector.py acmecall --dest /opt/exo/extensions

The copy changes names only -- the folder, the Python package, the file names, the provider type, the titles, the
Java-style names in the XML and the module/skin names in gatein-resources.xml -- so it boots, lists its provider and
shows its call button as it is; then you put your provider's logic in. Everything renamed is listed by ``--dry-run``.
See extensions/README.md for the walk-through.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "extensions" / "myconnector"
TEXT_SUFFIXES = {".py", ".xml", ".js", ".css", ".html", ".md", ".txt", ".properties", ".json"}
SKIPPED = {"__pycache__", ".pytest_cache"}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class NewConnectorError(Exception):
    """A bad name or destination; the message says which."""


@dataclass(frozen=True)
class Names:
    """Every spelling of a connector's name that the template uses."""

    name: str  # provider type, folder, package, IM type: "acmecall"
    title: str  # "Acme Call"
    class_name: str  # "AcmeCall" (AcmeCallProvider, AcmeCallPortlet)

    @property
    def camel(self) -> str:  # "acmeCall" (JS globals, CSS classes)
        return self.class_name[:1].lower() + self.class_name[1:]

    @classmethod
    def of(cls, name: str, title: str | None = None, class_name: str | None = None) -> "Names":
        if not NAME_PATTERN.fullmatch(name):
            raise NewConnectorError(f"connector name '{name}' must be one lowercase word: a letter, then letters, "
                                    f"digits or '_' (it is the provider type and the Python package name)")
        words = [w for w in re.split(r"[_\W]+", title or name) if w]
        class_name = class_name or "".join(w[:1].upper() + w[1:] for w in words)
        if not class_name.isidentifier() or not class_name[:1].isupper():
            raise NewConnectorError(f"class name '{class_name}' must be a Python identifier starting upper case")
        return cls(name, title or " ".join(w.capitalize() for w in words), class_name)


TEMPLATE_NAMES = Names("myconnector", "My Connector", "MyConnector")


def replacements(new: Names, old: Names = TEMPLATE_NAMES) -> list[tuple[str, str]]:
    """Longest spellings first, so that ``MyConnectorProvider`` is not half-renamed by ``myconnector``."""
    return [
        (f"{old.class_name}Provider", f"{new.class_name}Provider"),
        (f"{old.class_name}Portlet", f"{new.class_name}Portlet"),
        ("webConferencingMyGRP", f"webConferencing{new.class_name}GRP"),
        (old.camel, new.camel),  # JS globals and CSS classes: myConnectorCall, myConnectorAction
        (old.title, new.title),
        (old.class_name, new.class_name),
        (old.name, new.name),
    ]


def rename_text(text: str, pairs: list[tuple[str, str]]) -> str:
    """All replacements in one pass (a replaced text is never replaced again)."""
    pattern = re.compile("|".join(re.escape(old) for old, _ in pairs))
    table = dict(pairs)
    return pattern.sub(lambda m: table[m.group(0)], text)


def new_connector(name: str, dest: Path, *, title: str | None = None, class_name: str | None = None,
                  dry_run: bool = False) -> list[tuple[Path, Path]]:
    """Copy the template to ``dest/<name>`` renaming paths and contents; returns (template file, new file) pairs."""
    names = Names.of(name, title, class_name)
    source = TEMPLATE
    if not (source / "WEB-INF" / "conf" / "configuration.xml").is_file():
        raise NewConnectorError(f"{source} is not a connector extension (no WEB-INF/conf/configuration.xml)")
    target = dest.resolve() / names.name
    if target.exists():
        raise NewConnectorError(f"{target} already exists: choose another name or remove it")
    pairs = replacements(names)
    planned: list[tuple[Path, Path]] = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or any(part in SKIPPED for part in relative.parts) or path.suffix == ".pyc":
            continue
        planned.append((path, target / rename_text(str(relative), pairs)))
    if dry_run:
        return planned
    for old, new in planned:
        new.parent.mkdir(parents=True, exist_ok=True)
        if old.suffix in TEXT_SUFFIXES:
            new.write_text(rename_text(old.read_text(encoding="utf-8"), pairs), encoding="utf-8")
        else:
            shutil.copyfile(old, new)
    return planned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create a connector extension from a copy of the template one.")
    parser.add_argument("name", help="provider type, folder and package name: one lowercase word (e.g. acmecall)")
    parser.add_argument("--title", help="human-readable title (default: from the name)")
    parser.add_argument("--class-name", help="Python class prefix (default: from the title), e.g. AcmeCall")
    parser.add_argument("--dest", type=Path, default=ROOT / "extensions",
                        help="extensions folder (default: ./extensions)")
    parser.add_argument("--dry-run", action="store_true", help="list the files it would write, write nothing")
    args = parser.parse_args(argv)
    try:
        files = new_connector(args.name, args.dest, title=args.title, class_name=args.class_name,
                              dry_run=args.dry_run)
    except NewConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for old, new in files:
        print(f"{'would write' if args.dry_run else 'wrote'} {new}  (from {old.relative_to(TEMPLATE)})")
    if not args.dry_run:
        print(f"Connector '{args.name}' created in {args.dest.resolve() / args.name}; restart exo-server to load it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
