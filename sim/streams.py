"""Per-replicate random streams that do not depend on how replicates are split.

Every random quantity in a run is drawn from a *keyed stream*: a Philox counter-based
generator whose key is derived (through :class:`numpy.random.SeedSequence`) from the run
seed and a purpose string such as ``"battlefield"`` or ``"param:actors.US.aid"``: the
SHA-256 digest of the purpose's full UTF-8 bytes, so two purposes share a stream only if
SHA-256 collides (a 32-bit checksum would let, e.g., two actor names collide by chance).
Replicate ``r`` owns the fixed counter block ``[r * blocks, (r + 1) * blocks)`` of each
stream, so its numbers depend only on ``(seed, purpose, r)``: never on the number of
replicates, the chunk size, the worker count or the backend.  The same replicate index in
two policies therefore sees the same luck (common random numbers), and a policy that fixes
one uncertain input leaves the draws of all others untouched.
"""

from __future__ import annotations

import hashlib

import numba
import numpy as np

_WORDS_PER_COUNTER = 4  # Philox4x64 yields four 64-bit words per counter value
_TO_UNIT = 2.0**-53
_WORD = 0xFFFFFFFF


def stream_entropy(seed: int, purpose: str) -> list[int]:
    """The 32-bit words a stream's key is derived from: the seed, then the purpose's digest.

    The seed always takes two words (it may be up to 2**63 - 1) so that no seed's words
    can run into the digest's; the digest is SHA-256 of the whole purpose, as eight words.

    Parameters
    ----------
    seed : int
        The run seed (non-negative).
    purpose : str
        Names the stream.

    Returns
    -------
    list of int
        Ten words for :class:`numpy.random.SeedSequence`.
    """
    digest = hashlib.sha256(purpose.encode("utf-8")).digest()
    words = np.frombuffer(digest, dtype="<u4")
    return [seed & _WORD, (seed >> 32) & _WORD, *(int(w) for w in words)]


def uniforms(seed: int, purpose: str, start: int, stop: int, per_replicate: int) -> np.ndarray:
    """Uniform numbers in the open interval (0, 1) for replicates ``start .. stop - 1``.

    Parameters
    ----------
    seed : int
        The run seed (non-negative).
    purpose : str
        Names the stream; different purposes give independent streams.
    start, stop : int
        Replicate index range (``stop`` excluded).
    per_replicate : int
        How many numbers each replicate needs from this stream.

    Returns
    -------
    numpy.ndarray
        Shape ``(stop - start, per_replicate)``, float64, strictly inside (0, 1).
    """
    blocks = max(1, -(-per_replicate // _WORDS_PER_COUNTER))
    key = np.random.SeedSequence(stream_entropy(seed, purpose)).generate_state(2, np.uint64)
    counter = np.array([start * blocks, 0, 0, 0], dtype=np.uint64)
    raw = np.random.Philox(key=key, counter=counter).random_raw(
        (stop - start) * blocks * _WORDS_PER_COUNTER
    )
    unit = _to_unit(raw)
    return unit.reshape(stop - start, blocks * _WORDS_PER_COUNTER)[:, :per_replicate]


@numba.njit(cache=True)
def _to_unit(raw: np.ndarray) -> np.ndarray:
    """Each raw 64-bit word as a uniform in (0, 1): its 53 high bits, shifted by half a step
    (safe for inverse CDFs).  The NumPy expression ``((raw >> 11).astype(float64) + 0.5) *
    2**-53`` in one pass, without its three temporary arrays: the same operations in the
    same order, so the same bits."""
    unit = np.empty(raw.shape[0])
    for i in range(raw.shape[0]):
        unit[i] = (np.float64(raw[i] >> np.uint64(11)) + 0.5) * _TO_UNIT
    return unit
