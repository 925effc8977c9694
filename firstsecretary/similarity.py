"""How alike two work-log texts or two photos are: character shingles with MinHash LSH
(`datasketch`) for Chinese text, which has no spaces to split words on, and perceptual
hashes (`imagehash`) for photos. Pure functions, no database: the selectors feed them."""

import re
from collections import defaultdict
from collections.abc import Iterable

SHINGLE = 3
NUM_PERM = 64
PHASH_BITS = 64
# Punctuation and spaces say nothing of who wrote a text: "，" for "," is no new entry.
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalised(text: str) -> str:
    return _NOISE.sub("", text or "").lower()


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The text's character k-grams, punctuation and spaces left out."""
    clean = normalised(text)
    if len(clean) <= k:
        return {clean} if clean else set()
    return {clean[i : i + k] for i in range(len(clean) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicates(
    texts: Iterable[tuple[int, str]], threshold: float
) -> list[tuple[int, int, float]]:
    """[(id, id, similarity)] of the texts whose 3-gram sets are at least `threshold` alike,
    most alike first. MinHash LSH finds the candidates without comparing every pair; each
    candidate's exact Jaccard similarity then decides, so a chance collision is never shown."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sets: dict[int, set[str]] = {}
    pairs: dict[tuple[int, int], float] = {}
    for key, text in texts:
        grams = shingles(text)
        if not grams:
            continue
        signature = MinHash(num_perm=NUM_PERM, seed=1)
        signature.update_batch([gram.encode() for gram in grams])
        for other in lsh.query(signature):
            similarity = jaccard(grams, sets[other])
            if similarity >= threshold:
                pairs[(other, key)] = similarity
        lsh.insert(key, signature)
        sets[key] = grams
    return sorted(
        ((a, b, round(s, 2)) for (a, b), s in pairs.items()), key=lambda p: (-p[2], p[0], p[1])
    )


def photo_hash(image) -> str:
    """The 64-bit perceptual hash (pHash) of a PIL image, as 16 hex digits: a re-encoded,
    resized or lightly recoloured copy keeps nearly every bit."""
    import imagehash

    return str(imagehash.phash(image))


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def reused_photos(
    hashes: Iterable[tuple[int, str]], max_distance: int
) -> list[tuple[int, int, int]]:
    """[(id, id, differing bits)] of the photos whose hashes differ in at most `max_distance`
    bits, closest first. Cut into max_distance + 1 bands, two such hashes agree exactly on
    at least one band (pigeonhole), so only photos sharing a band are compared."""
    bands = max_distance + 1
    width = PHASH_BITS // bands
    buckets: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    found: dict[tuple[int, int], int] = {}
    for key, value in hashes:
        if not value:
            continue
        number = int(value, 16)
        seen = set()
        for band in range(bands):
            # The last band takes the bits left over.
            bits = width if band < bands - 1 else PHASH_BITS - width * (bands - 1)
            part = (number >> (band * width)) & ((1 << bits) - 1)
            for other, other_value in buckets[(band, part)]:
                if other in seen:
                    continue
                seen.add(other)
                bits_apart = distance(value, other_value)
                if bits_apart <= max_distance:
                    found[(other, key)] = bits_apart
            buckets[(band, part)].append((key, value))
    return sorted(((a, b, d) for (a, b), d in found.items()), key=lambda p: (p[2], p[0], p[1]))
