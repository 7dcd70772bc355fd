"""The code of each voucher, as the slip of the final letter prints it
(letters/children.voucher_code): '<protocol_prefix>-<public code>-<n>', n the child's place in
its application (letters/children.child_groups), from the rows of the published final list.
A child funded later by a scorrimento has the code its slip will carry: the same function on
the same rows, so the code never depends on when the voucher was funded.
"""

from __future__ import annotations

import pandas as pd

from conciliare_cli.config.models import CallConfig
from conciliare_cli.letters.children import child_groups, voucher_code
from conciliare_cli.publish.listing import public_id_for


def voucher_codes(config: CallConfig, final: pd.DataFrame) -> pd.Series:
    """Per (application_id, voucher) of the final list's rows (voucher_list.list_table), the
    code of the voucher; a MultiIndexed Series of texts."""
    prefix = config.call.protocol_prefix or ""
    rows = pd.DataFrame(
        {
            "application_id": final["application_id"].astype(str),
            "minor_tax_code": final["voucher"].astype(str),
            "minor_slot": final.get("minor_slot", ""),
        }
    )
    by_app: dict[str, list[dict]] = {}
    for rec in rows.to_dict("records"):
        by_app.setdefault(rec["application_id"], []).append(rec)
    keys, codes = [], []
    for app in sorted(by_app):
        public = public_id_for(config, app)
        for number, child in enumerate(child_groups(by_app[app]), start=1):
            keys.append((app, str(child[0]["minor_tax_code"])))
            codes.append(voucher_code(public, number, prefix))
    index = pd.MultiIndex.from_tuples(keys, names=["application_id", "voucher"])
    return pd.Series(codes, index=index, dtype=object)
