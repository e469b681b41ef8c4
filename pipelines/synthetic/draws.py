"""Keyed, order-independent random draws as Polars expressions.

Every random attribute of a synthetic record is a pure function of (seed, stream name, record
key). Nothing depends on the order in which records are generated, so a record keeps its
attributes (and its injected defects) when it reappears in a later snapshot or in a `_v2`
re-delivery, and adding a new stream never shifts the values of another.

The hash is Chris Wellons' `lowbias32` integer mixer. It is evaluated on 32-bit halves held in
UInt64 so that every product fits in 64 bits: the result never depends on whether Polars wraps
or checks integer overflow. It runs as eager Series arithmetic inside `map_batches`: written as
an expression tree, each step would reuse its input twice and the query planner would spend far
longer on the doubled-up tree than the hash takes to compute.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence

import polars as pl

_MASK32 = 2**32
_MIX_A = 0x7FEB352D
_MIX_B = 0x846CA68B


def _mix32(x: pl.Series) -> pl.Series:
    x = x ^ (x // 65536)
    x = (x * _MIX_A) % _MASK32
    x = x ^ (x // 32768)
    x = (x * _MIX_B) % _MASK32
    return x ^ (x // 65536)


def _keyed_uniform(keys: pl.Series, salt_lo: int, salt_hi: int) -> pl.Series:
    k = keys.cast(pl.UInt64)
    h = _mix32((k % _MASK32) ^ salt_lo)
    h = _mix32(h ^ (k // _MASK32) ^ salt_hi)
    return h.cast(pl.Float64) / _MASK32


class Draws:
    """Seeded source of keyed uniforms and the distributions built on them."""

    def __init__(self, seed: int):
        self.seed = seed

    def _salts(self, stream: str) -> tuple[int, int]:
        digest = hashlib.blake2b(f"{self.seed}/{stream}".encode(), digest_size=8).digest()
        return int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big")

    def uniform(self, key: pl.Expr | str, stream: str) -> pl.Expr:
        """A uniform in [0, 1) per key; `key` is a non-negative integer column."""
        key = pl.col(key) if isinstance(key, str) else key
        salt_lo, salt_hi = self._salts(stream)
        return key.map_batches(lambda keys: _keyed_uniform(keys, salt_lo, salt_hi), return_dtype=pl.Float64)

    def bernoulli(self, key: pl.Expr | str, stream: str, p: float | pl.Expr) -> pl.Expr:
        return self.uniform(key, stream) < p

    def integer(self, key: pl.Expr | str, stream: str, low: int | pl.Expr, high: int | pl.Expr) -> pl.Expr:
        """Uniform integer in [low, high] inclusive."""
        span = (pl.lit(high) if isinstance(high, int) else high) - low + 1
        return (self.uniform(key, stream) * span).floor().cast(pl.Int64) + low

    def choice(self, key: pl.Expr | str, stream: str, values: Sequence, weights: Sequence[float]) -> pl.Expr:
        """One of `values` with the given relative weights."""
        index = weighted_index(self.uniform(key, stream), weights)
        return index.replace_strict(list(range(len(values))), list(values))

    def normal(self, key: pl.Expr | str, stream: str) -> pl.Expr:
        """Standard normal by Box-Muller over two keyed uniforms."""
        u1 = 1.0 - self.uniform(key, stream + "#1")
        u2 = self.uniform(key, stream + "#2")
        return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()

    def python(self, stream: str) -> random.Random:
        """A seeded Python generator for the few scalar draws (one per borough and month)."""
        salt_lo, salt_hi = self._salts(stream)
        return random.Random(salt_lo * _MASK32 + salt_hi)


def weighted_index(u: pl.Expr, weights: Sequence[float]) -> pl.Expr:
    """Index of the bucket of `u` when [0, 1) is cut in proportion to `weights`."""
    total = float(sum(weights))
    thresholds, running = [], 0.0
    for w in weights[:-1]:
        running += w / total
        thresholds.append(running)
    if not thresholds:
        return pl.lit(0, pl.Int64) + u.cast(pl.Int64) * 0
    return pl.sum_horizontal([(u >= t).cast(pl.Int64) for t in thresholds])


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw: exact for small means, normal approximation for large ones."""
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, product = math.exp(-lam), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))
