"""The originality engine: pure functions, no Django, no database (docs/decisions/0023-originality-engine.md).

How a text is checked, for Chinese and English mixed:

1. **Normalise**: NFKC (full-width letters, digits and punctuation become their ordinary forms), then case
   folding; punctuation and whitespace are dropped by the tokeniser.
2. **Tokenise**: every CJK character is a token, every run of Latin (or Greek, Cyrillic) letters and digits
   is a token. A CJK character weighs one *unit*, a Latin word two (a word carries about what two
   characters do), so shingles cover a comparable amount of text in both scripts.
3. **Leave out** quotations in quotation marks (“…”, "…", 「…」, 『…』) and the reference list (from the
   last heading "References", "Bibliography", "参考文献"… in the second part of the text): their tokens are
   neither counted nor matched, and the report says how many characters were left out.
4. **Shingle**: each token starts a shingle running until it covers ``SHINGLE_UNITS`` units (10 CJK
   characters, or 5 words); a shingle touching a left-out token is dropped. Its hash is stable across
   processes (BLAKE2b of each token, combined polynomially).
5. **Fingerprint** by winnowing (Schleimer, Wilkerson, Aiken 2003): the smallest hash of every window of
   ``WINDOW`` consecutive shingles. Any passage shared over ``WINDOW`` consecutive shingles shares at least
   one fingerprint, whatever else the texts contain. Fingerprints go into an inverted index (the database's
   ``integrity.Fingerprint``), which finds candidate sources without reading every document.
6. **Align** exactly: against each candidate, every shingle (not just fingerprints) is matched, matches on
   one diagonal become runs, runs close to each other in both texts merge into passages (a lightly edited
   passage stays one passage), and passages shorter than ``MIN_PASSAGE_UNITS`` are dropped.
7. **Score**: similarity is the share of the counted characters (left-out ones excluded) covered by any
   source's passages; each source's share is computed the same way, so shares may overlap.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

#: Units a shingle covers: 10 CJK characters or 5 Latin words.
SHINGLE_UNITS = 10
#: Winnowing window, in shingles: a shared passage of this many consecutive shingles is always found.
WINDOW = 8
#: Shortest passage reported, in units (13 CJK characters, or about 7 words).
MIN_PASSAGE_UNITS = 13
#: Runs this close (in tokens, in both texts) merge into one passage.
MERGE_GAP = 6
#: A shingle occurring more often than this in one source is not aligned at every occurrence.
MAX_POSITIONS = 8
#: Hashes are kept below 2**62, so they fit a signed 64-bit database column.
HASH_MASK = (1 << 62) - 1
_MOD = (1 << 61) - 1
_BASE = 1_000_003

_TOKEN = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
    r"|(?P<word>[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)",
    re.IGNORECASE,
)
#: Quotation pairs whose content is left out; straight double quotes pair up in order.
_QUOTES = re.compile(r"“[^”]{1,1000}”|「[^」]{1,1000}」|『[^』]{1,1000}』|\"[^\"\n]{1,1000}\"")
_REFERENCES = re.compile(
    r"^[ \t#*\d.、一二三四五六七八九十]*(references|reference list|bibliography|works cited|literature cited"
    r"|参考文献|引用文献|参考资料)[ \t]*[:\uff1a]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
#: A references heading counts only in the text's last part (a table of contents names it too).
_REFERENCES_FROM = 0.3


def normalise(text: str) -> str:
    """NFKC (width) and case folding: how tokens compare."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Token:
    """One token of a normalised text: its characters and its span there."""

    text: str
    start: int
    end: int
    units: int


@dataclass
class Prepared:
    """A text made ready for matching: its tokens, which are left out, and its shingle hashes."""

    #: the text after NFKC (what token offsets refer to)
    text: str
    tokens: list[Token]
    excluded: list[bool]
    quoted_chars: int
    reference_chars: int
    #: shingle hash by starting token (None: the shingle is incomplete or touches a left-out token)
    shingles: list[int | None]
    #: for each shingle start, the index of its last token
    shingle_ends: list[int]

    @property
    def counted_chars(self) -> int:
        """Characters of the tokens that count (left-out ones excluded)."""
        return sum(len(t.text) for t, out in zip(self.tokens, self.excluded, strict=True) if not out)


@lru_cache(maxsize=200_000)
def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big") % _MOD


def _left_out(text: str) -> bytearray:
    """A mark per character: 1 inside a quotation, 2 in the reference list, 0 elsewhere."""
    marks = bytearray(len(text))
    for match in _QUOTES.finditer(text):
        marks[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    reference_start = None
    for match in _REFERENCES.finditer(text):
        if match.start() >= len(text) * _REFERENCES_FROM:
            reference_start = match.start()
    if reference_start is not None:
        marks[reference_start:] = b"\x02" * (len(text) - reference_start)
    return marks


def prepare(raw: str) -> Prepared:
    """Normalise, tokenise, mark left-out tokens and hash every shingle of ``raw``."""
    # Offsets refer to the NFKC text (case kept, so passages read as written); tokens are case-folded.
    text = unicodedata.normalize("NFKC", raw)
    marks = _left_out(text)
    tokens: list[Token] = []
    excluded: list[bool] = []
    counts = [0, 0, 0]
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        tokens.append(Token(match.group().casefold(), start, end, 1 if match.lastgroup == "cjk" else 2))
        mark = marks[start]
        counts[mark] += end - start
        excluded.append(mark != 0)
    shingles, ends = _shingles(tokens, excluded)
    return Prepared(text, tokens, excluded, counts[1], counts[2], shingles, ends)


def _shingles(tokens: list[Token], excluded: list[bool]) -> tuple[list[int | None], list[int]]:
    hashes = [_token_hash(t.text) for t in tokens]
    count = len(tokens)
    shingles: list[int | None] = []
    ends: list[int] = []
    for i in range(count):
        value, units, j = 0, 0, i
        bad = False
        while j < count and units < SHINGLE_UNITS:
            if excluded[j]:
                bad = True
                break
            value = (value * _BASE + hashes[j]) % _MOD
            units += tokens[j].units
            j += 1
        complete = units >= SHINGLE_UNITS and not bad
        shingles.append((value & HASH_MASK) if complete else None)
        ends.append(j - 1)
    return shingles, ends


def fingerprints(prepared: Prepared, window: int = WINDOW) -> list[tuple[int, int]]:
    """Winnowed fingerprints ``(hash, token position)``: the rightmost smallest hash of each window of
    ``window`` consecutive valid shingles, each selected position once."""
    valid = [(h, i) for i, h in enumerate(prepared.shingles) if h is not None]
    if not valid:
        return []
    if len(valid) <= window:
        return [min(valid, key=lambda hp: (hp[0], -hp[1]))]
    chosen: list[tuple[int, int]] = []
    last = -1
    for start in range(len(valid) - window + 1):
        best = start
        best_hash = valid[start][0]
        for k in range(start + 1, start + window):
            if valid[k][0] <= best_hash:
                best, best_hash = k, valid[k][0]
        if best != last:
            chosen.append(valid[best])
            last = best
    return chosen


def fingerprint_hashes(prepared: Prepared) -> set[int]:
    """The distinct fingerprint hashes of a text (what the index is asked about)."""
    return {h for h, _pos in fingerprints(prepared)}


@dataclass(frozen=True)
class Passage:
    """One matched passage: token ranges (inclusive) in the checked text and in the source, and the
    checked text's tokens it covers."""

    query_start: int
    query_end: int
    source_start: int
    source_end: int
    covered: frozenset[int]


def _runs(query: Prepared, source: Prepared) -> list[tuple[int, int, int, int]]:
    """Maximal diagonal runs of shared shingles: (query first shingle, last, source first, last)."""
    positions: dict[int, list[int]] = {}
    for j, h in enumerate(source.shingles):
        if h is not None:
            found = positions.setdefault(h, [])
            if len(found) < MAX_POSITIONS:
                found.append(j)
    open_runs: dict[int, tuple[int, int, int, int]] = {}  # diagonal -> run
    runs: list[tuple[int, int, int, int]] = []
    for i, h in enumerate(query.shingles):
        if h is None or h not in positions:
            continue
        for j in positions[h]:
            diagonal = j - i
            run = open_runs.get(diagonal)
            if run is not None and run[1] == i - 1 and run[3] == j - 1:
                open_runs[diagonal] = (run[0], i, run[2], j)
            else:
                if run is not None:
                    runs.append(run)
                open_runs[diagonal] = (i, i, j, j)
    runs.extend(open_runs.values())
    return runs


def align(query: Prepared, source: Prepared) -> list[Passage]:
    """The passages ``query`` shares with ``source``, in the order of ``query``."""
    spans = []
    for q0, q1, s0, s1 in _runs(query, source):
        spans.append((q0, query.shingle_ends[q1], s0, source.shingle_ends[s1]))
    # Longest runs first at each start, then neighbours close in both texts merge, in the query's order.
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[list[int]] = []
    for q0, q1, s0, s1 in spans:
        if merged:
            last = merged[-1]
            if q0 <= last[1] + MERGE_GAP and last[2] - MERGE_GAP <= s0 <= last[3] + MERGE_GAP:
                last[1], last[2], last[3] = max(last[1], q1), min(last[2], s0), max(last[3], s1)
                last.extend((q0, q1))
                continue
        merged.append([q0, q1, s0, s1, q0, q1])
    passages = []
    for item in merged:
        covered: set[int] = set()
        pieces = item[4:]
        for k in range(0, len(pieces), 2):
            covered.update(range(pieces[k], pieces[k + 1] + 1))
        units = sum(query.tokens[t].units for t in covered)
        if units >= MIN_PASSAGE_UNITS:
            passages.append(Passage(item[0], item[1], item[2], item[3], frozenset(covered)))
    return passages


@dataclass
class SourceResult:
    """What one source shares with the checked text."""

    key: int
    passages: list[Passage]
    chars: int
    share: float


@dataclass
class Comparison:
    """The outcome of checking one text against its candidate sources."""

    similarity: float
    counted_chars: int
    matched_chars: int
    quoted_chars: int
    reference_chars: int
    sources: list[SourceResult] = field(default_factory=list)


def _chars(prepared: Prepared, covered: Iterable[int]) -> int:
    return sum(len(prepared.tokens[t].text) for t in covered if not prepared.excluded[t])


def compare(query: Prepared, sources: Mapping[int, Prepared]) -> Comparison:
    """Align ``query`` with every source (by key) and score it; sources without a passage are left out,
    the others come largest share first. Percentages are of the counted characters, 0 to 100."""
    counted = query.counted_chars
    union: set[int] = set()
    results = []
    for key, source in sources.items():
        passages = align(query, source)
        if not passages:
            continue
        covered: set[int] = set()
        for passage in passages:
            covered |= passage.covered
        union |= covered
        chars = _chars(query, covered)
        results.append(SourceResult(key, passages, chars, _percent(chars, counted)))
    results.sort(key=lambda r: (-r.chars, r.key))
    matched = _chars(query, union)
    return Comparison(
        similarity=_percent(matched, counted),
        counted_chars=counted,
        matched_chars=matched,
        quoted_chars=query.quoted_chars,
        reference_chars=query.reference_chars,
        sources=results,
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def span_text(prepared: Prepared, first: int, last: int) -> tuple[int, int]:
    """Character offsets in ``prepared.text`` of tokens ``first`` to ``last`` (inclusive)."""
    return prepared.tokens[first].start, prepared.tokens[last].end
