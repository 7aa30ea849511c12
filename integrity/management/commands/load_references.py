"""``manage.py load_references PATH... [--by USERNAME] [--year YEAR]``: add earlier theses to the reference
corpus, from PDF, DOCX or plain-text (.txt, UTF-8) files or folders of them. Each file's name (without its
extension) is its title; a file whose text is already in the corpus is skipped. Recorded as added by an office
user (``--by``, else the first office user)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.roles import PlatformRole
from integrity.extract import extract
from integrity.models import CorpusText
from integrity.services import submissions
from partners.access import users_with_platform_role

SUFFIXES = {".pdf", ".docx", ".txt"}


class Command(BaseCommand):
    help = "Add PDF, DOCX or .txt files (or folders of them) to the originality reference corpus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders")
        parser.add_argument("--by", help="username of the office member recorded as adding them")
        parser.add_argument("--year", type=int, help="year of the documents, when known")

    def handle(self, *args: Any, **options: Any) -> None:
        by = self._office(options.get("by"))
        files: list[Path] = []
        for name in options["paths"]:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"No such file or folder: {name}")
        added = skipped = refused = 0
        for path in files:
            try:
                text = self._text(path)
            except ValidationError as error:
                refused += 1
                self.stderr.write(f"{path}: {' '.join(error.messages)}")
                continue
            key = f"reference:{hashlib.sha256(text.strip().encode()).hexdigest()[:32]}"
            if CorpusText.objects.filter(work_key=key).exists():
                skipped += 1
                continue
            submissions.reference_add(title=path.stem, text=text, by=by, year=options.get("year"))
            added += 1
        self.stdout.write(f"added {added}, already there {skipped}, refused {refused}")

    def _office(self, username: str | None) -> User:
        office = users_with_platform_role(PlatformRole.OFFICE).order_by("pk")
        if username:
            office = office.filter(username=username)
        user = office.first()
        if user is None:
            raise CommandError("No office user (give --by USERNAME of an office member).")
        return user

    def _text(self, path: Path) -> str:
        if path.suffix.lower() == ".txt":
            return path.read_text(encoding="utf-8")
        with path.open("rb") as handle:
            return extract(File(handle, name=path.name)).text
