"""Near-duplicate articles (疑似重复): the measure, and the check a compile runs.

The measure: the Jaccard similarity of the two texts' sets of character 3-grams ("shingles"), after NFKC and
with whitespace and punctuation removed — |A ∩ B| / |A ∪ B|. Chinese has no spaces, so characters, not words,
are the unit; 3-grams are specific enough that two unrelated bulletin articles in the same official style share
few (measured on the bench archive: well under 0.2), while a copy with its unit, a few phrases and some figures
rewritten keeps most. At or above `[intake] near_duplicate` (default 0.8) the draft is marked 疑似重复 in the
intake report, naming the other article (期号, unit, title). It is never dropped and never merged: the office
decides.

Speed: exact Jaccard of every draft against a five-year archive (120 × 1,800 set intersections) costs seconds.
Each archived article keeps a MinHash signature (128 minimum hash values, stored when the issue is archived);
the share of equal values between two signatures estimates their Jaccard similarity (standard error about 0.035
at 0.8). Pairs whose estimate reaches the threshold less a margin (0.15, more than four standard errors) are
then measured exactly from their texts, and only the exact value decides. The signature is computed here with
numpy (the universal-hash MinHash datasketch uses, h(x) = (a·x + b) mod (2^61 − 1), over CRC-32 of the
shingle), because datasketch pulls in scipy for what is twenty lines.

Within the month, no estimate is needed: `similar_pairs` finds every pair of the month's drafts at or above the
threshold exactly, with prefix filtering (the "all-pairs" set-similarity join): order each set's shingles from
rarest to commonest in the month; two sets with Jaccard ≥ t must share a shingle among the first
|A| − ⌈t·|A|⌉ + 1 of each, so only pairs that do are measured. No numpy is imported for it: a new office (empty
archive) pays neither numpy's import nor any signature on its compile.
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

SHINGLE = 3
NUM_PERM = 128
SIGNATURE_VERSION = 1  # stored with each signature: a change of the parameters above recomputes them
MARGIN = 0.15  # candidates: estimated similarity >= threshold - MARGIN, then measured exactly
SEED = 20261204  # fixed: signatures stored years apart must stay comparable


@cache
def _hash_parameters():
    """numpy and the universal-hash parameters, made on first use (only when an archive is compared)."""
    import numpy as np

    rng = np.random.RandomState(SEED)
    a = rng.randint(1, 1 << 32, size=NUM_PERM, dtype=np.uint64)
    b = rng.randint(0, 1 << 32, size=NUM_PERM, dtype=np.uint64)
    return np, a, b, np.uint64((1 << 61) - 1), np.uint64(0xFFFFFFFF)


def normalized(text: str) -> str:
    """The characters that count: NFKC (full-width digits and letters as ASCII), no whitespace, no punctuation
    or symbols (quotation marks, brackets and 、 vary between copies without changing the text)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZSC")


def shingles(text: str) -> set[str]:
    chars = normalized(text)
    if len(chars) <= SHINGLE:
        return {chars} if chars else set()
    return {chars[i:i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(shingle_set: set[str]):
    """The MinHash signature (NUM_PERM uint32 values, a numpy array) of a shingle set; all-max for an empty set."""
    np, _A, _B, _PRIME, _MAX32 = _hash_parameters()
    if not shingle_set:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    hashes = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingle_set), dtype=np.uint64,
                         count=len(shingle_set))
    # a, x < 2^32 and b < 2^32: a·x + b < 2^64 never wraps in uint64
    values = (np.outer(hashes, _A) + _B) % _PRIME & _MAX32
    return values.min(axis=0).astype(np.uint32)


def signature_bytes(text: str) -> bytes:
    return signature(shingles(text)).tobytes()


def estimates(sig, matrix):
    """Estimated Jaccard similarity of one signature against each row of a (n, NUM_PERM) matrix."""
    np = _hash_parameters()[0]
    if matrix.size == 0:
        return np.zeros(0)
    return (matrix == sig).mean(axis=1)


def similar_pairs(sets: list[set[str]], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair (i, j), i < j, of `sets` whose Jaccard similarity is at least `threshold` (> 0), exactly: the
    prefix-filtering join described in the module docstring (no pair at the threshold is missed)."""
    frequency = Counter(s for shingle_set in sets for s in shingle_set)
    index: dict[str, list[int]] = defaultdict(list)
    found: list[tuple[int, int, float]] = []
    order = sorted(range(len(sets)), key=lambda i: len(sets[i]))
    for i in order:  # smaller sets first: each pair is measured once, from its larger member
        members = sorted(sets[i], key=lambda s: (frequency[s], s))
        prefix = len(members) - math.ceil(threshold * len(members)) + 1 if members else 0
        candidates: set[int] = set()
        for shingle in members[:prefix]:
            candidates.update(index[shingle])
            index[shingle].append(i)
        for j in candidates:
            if len(sets[j]) < threshold * len(sets[i]):
                continue  # Jaccard <= |small| / |large|
            value = jaccard(sets[i], sets[j])
            if value >= threshold:
                found.append((min(i, j), max(i, j), value))
    return sorted(found)


@dataclass(frozen=True)
class Text:
    """One article to compare: who and where it is (for the message), and its text."""

    key: object  # the caller's handle (a draft, an archive row id)
    unit: str
    title: str
    text: str
    where: str = ""  # "第65期（2026年10月28日）" for an archived article, "" for one of this month


@dataclass(frozen=True)
class Match:
    draft: object
    other: Text
    similarity: float


def near_duplicates(drafts: list[Text], archived_keys: list, archived_signatures, threshold: float,
                    fetch=None) -> list[Match]:
    """Every draft that reaches `threshold` against another draft of a different unit (both are reported), or
    against an archived article (any unit). `archived_signatures`: one row per key of `archived_keys`, in order;
    `fetch(key) -> Text` reads an archived article when it is a candidate (five years of texts are not loaded
    for the few that are). Exact Jaccard decides; signatures only choose whom to measure."""
    sets = [shingles(d.text) for d in drafts]
    found: list[Match] = []
    if len(archived_keys):
        found += _against_archive(drafts, sets, archived_keys, archived_signatures, threshold, fetch)
    for i, j, value in similar_pairs(sets, threshold):
        if drafts[i].unit and drafts[i].unit == drafts[j].unit:
            continue  # the same unit's two versions are the intake's business (被替换, 重复)
        found += [Match(drafts[i].key, drafts[j], value), Match(drafts[j].key, drafts[i], value)]
    return found


def _against_archive(drafts, sets, archived_keys, archived_signatures, threshold, fetch) -> list[Match]:
    np = _hash_parameters()[0]
    sigs = np.stack([signature(s) for s in sets])
    floor = int(np.ceil(max(threshold - MARGIN, 0.0) * NUM_PERM))  # equal values needed to be a candidate
    found: list[Match] = []
    fetched: dict[int, tuple[Text, set[str]]] = {}
    for start in range(0, len(drafts), 16):  # 16 drafts × the archive at a time: a few MB of comparisons
        block = sigs[start:start + 16]
        equal = (block[:, None, :] == archived_signatures[None, :, :]).sum(axis=2, dtype=np.uint16)
        for i, j in zip(*np.nonzero(equal >= floor)):
            i, j = start + int(i), int(j)
            if j not in fetched:
                other = fetch(archived_keys[j])
                fetched[j] = (other, shingles(other.text))
            other, other_set = fetched[j]
            value = jaccard(sets[i], other_set)
            if value >= threshold:
                found.append(Match(drafts[i].key, other, value))
    return found


def describe(match: Match) -> str:
    """The report's words: 疑似重复：与第64期（2026年9月25日）区人社局《…》相似度 0.86（…）."""
    other = match.other
    where = other.where or "本期"
    unit = other.unit or "（单位未识别）"
    return (f"疑似重复：与{where}{unit}《{other.title}》相似度 {match.similarity:.2f}"
            "（按字符三字片段的 Jaccard 相似度计），请核对是否为同一篇稿件；本稿仍已编入")
