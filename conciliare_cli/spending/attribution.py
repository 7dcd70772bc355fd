"""Each euro spent on a voucher, attributed to the funds that financed it, in whole cents.

A voucher of A cents paid by funds with shares w_1..w_n (whole cents, summing to A) gives, for
the first S cents spent on it, fund f the part F_f(S) computed by the largest-remainder
(Hamilton) rule:

1. each fund gets floor(S * w_f / A) cents;
2. the cents left over (fewer than n) go one each to the funds with the largest remainders
   (S * w_f mod A), ties to the fund that comes first in the rules.

A line of an invoice gets F_f(S_after) - F_f(S_before), S the voucher's cumulative spending in
the order of the lines. So the parts of each line sum to its amount, the parts of a voucher sum
to F_f(total spent) and, when the voucher is spent in full, to exactly the fund's share w_f.
With two funds (FSE and ATS) F_f grows with S, so no line gets a negative part; with three or
more funds the largest-remainder rule can, rarely, move one cent between funds from one line to
the next (Alabama paradox), and the totals still hold.
"""

from __future__ import annotations

import numpy as np


def largest_remainder(spent: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """F(S) per row: spent (n,) cents, shares (n, k) cents per fund -> (n, k) cents.

    Rows with no award (all shares zero) get nothing."""
    spent = spent.astype(np.int64)
    shares = shares.astype(np.int64)
    total = shares.sum(axis=1)
    safe = np.where(total > 0, total, 1)
    product = spent[:, None] * shares
    floors = product // safe[:, None]
    remainders = product % safe[:, None]
    left = np.where(total > 0, spent - floors.sum(axis=1), 0)
    k = shares.shape[1]
    # rank of each fund among its row: larger remainder first, then the fund order
    order = np.lexsort((np.broadcast_to(np.arange(k), remainders.shape), -remainders), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k), order.shape), axis=1)
    return floors + (ranks < left[:, None]).astype(np.int64)


def attribute(voucher_pos: np.ndarray, counted: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Per line (in the order of spending), the cents of each fund.

    voucher_pos: the voucher of each line (index into shares; -1 = none); counted: the cents
    of the line that count against the voucher; shares: (vouchers, funds) cents."""
    n, k = len(counted), shares.shape[1]
    out = np.zeros((n, k), dtype=np.int64)
    has = voucher_pos >= 0
    if not has.any():
        return out
    idx = np.flatnonzero(has)
    v = voucher_pos[idx]
    c = counted[idx].astype(np.int64)
    # cumulative spending per voucher, in line order (stable sort by voucher keeps it)
    order = np.argsort(v, kind="stable")
    v_sorted, c_sorted = v[order], c[order]
    cum = np.cumsum(c_sorted)
    starts = np.r_[True, v_sorted[1:] != v_sorted[:-1]]
    base = np.maximum.accumulate(np.where(starts, cum - c_sorted, 0))
    after = cum - base
    before = after - c_sorted
    s = shares[v_sorted]
    parts = largest_remainder(after, s) - largest_remainder(before, s)
    out[idx[order]] = parts
    return out
