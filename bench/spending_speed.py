"""Benchmark of the vouchers in use: N invoice lines read, matched, attributed and reported.

    python bench/spending_speed.py                    # 100,000 lines, 30,000 vouchers
    python bench/spending_speed.py --lines 300000 --vouchers 60000

A call folder is made in a temporary directory: the example's bando.yaml (with its
`spending:` section), a providers' list of 50 providers and one CSV of N invoice lines (';',
Italian amounts and dd/mm/yyyy dates, as a provider's system writes them) for vouchers split
between FSE and ATS; about 2% of the lines are outside the validity, 1% repeated, and the
spending of a voucher goes over it for about one voucher in ten. The vouchers are given
directly (no ranking is run). Reported per stage, in seconds (best of --repeat):
read (the partners' reader on the CSV and the list), match (checks, cap, funds), tables
(movements and the four summaries), csv (movimenti.csv) and xlsx (rendiconto.xlsx).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdnum import luhn  # noqa: E402

from conciliare_cli.config import load_call  # noqa: E402
from conciliare_cli.spending import report_tables as tables  # noqa: E402
from conciliare_cli.spending.matching import match  # noqa: E402
from conciliare_cli.spending.process import SpendingResult  # noqa: E402
from conciliare_cli.spending.provider_list import check_providers  # noqa: E402
from conciliare_cli.spending.reading import read_invoices, read_providers  # noqa: E402
from conciliare_cli.spending.report_files import _workbook, movements_csv  # noqa: E402
from conciliare_cli.spending.voucher_list import VoucherList  # noqa: E402

SERVICES = ["Pre e post scuola", "Centro estivo", "Attività ricreative", "Doposcuola"]


def make_call(folder: Path, n_lines: int, n_vouchers: int, seed: int) -> VoucherList:
    rng = np.random.default_rng(seed)
    shutil.copy(ROOT / "examples" / "conciliare-2017" / "bando.yaml", folder / "bando.yaml")
    (folder / "erogatori").mkdir()
    (folder / "fatture").mkdir()
    vats = [f"{i:07d}019" for i in range(1000001, 1000051)]
    vats = [v + luhn.calc_check_digit(v) for v in vats]
    providers = pd.DataFrame(
        {
            "Codice": [f"E{i}" for i in range(50)],
            "Ragione sociale": [f"Erogatore {i}" for i in range(50)],
            "Partita IVA": vats,
            "Servizi offerti": "; ".join(SERVICES),
            "Tariffa (€)": "",
        }
    )
    providers.to_excel(folder / "erogatori" / "elenco_erogatori.xlsx", index=False)
    codes = np.array([f"V{i:07d}" for i in range(n_vouchers)], dtype=object)
    fse = rng.integers(0, 30001, n_vouchers)
    ats = np.where(rng.random(n_vouchers) < 0.1, 30000 - fse, 0)
    frame = pd.DataFrame(
        {"voucher": codes, "application_id": [f"A-{i // 2}" for i in range(n_vouchers)],
         "partner_id": np.array(["ASST", "ATS", "COMUNE"], dtype=object)[np.arange(n_vouchers) % 3],
         "awarded_cents": fse + ats, "fund_FSE_cents": fse, "fund_ATS_cents": ats}
    )  # fmt: skip
    frame = frame[frame["awarded_cents"] > 0].reset_index(drop=True)
    _invoices(folder / "fatture" / "tutte.csv", frame, vats, n_lines, rng)
    return VoucherList(frame, ["FSE", "ATS"], "2017-09-20", "0" * 64)


def _invoices(path: Path, vouchers: pd.DataFrame, vats: list[str], n: int, rng) -> None:
    who = rng.integers(0, len(vouchers), n)
    start = pd.Timestamp("2017-09-01") + pd.to_timedelta(rng.integers(0, 330, n), unit="D")
    start = start.where(rng.random(n) > 0.02, pd.Timestamp("2018-09-10"))
    award = vouchers["awarded_cents"].to_numpy()[who]
    cents = np.maximum(1, (award * rng.uniform(0.05, 0.35, n)).astype(np.int64))
    amount = (
        pd.Series(cents // 100).astype(str) + "," + pd.Series(cents % 100).astype(str).str.zfill(2)
    )
    lines = pd.DataFrame(
        {
            "P.IVA erogatore": np.array(vats, dtype=object)[rng.integers(0, len(vats), n)],
            "N. fattura": [f"{k}/2018" for k in rng.integers(1, 5000, n)],
            "Data fattura": (start + pd.Timedelta(days=35)).strftime("%d/%m/%Y"),
            "CF minore": vouchers["voucher"].to_numpy()[who],
            "Minore": "",
            "Servizio": np.array(SERVICES, dtype=object)[rng.integers(0, 4, n)],
            "Dal": start.strftime("%d/%m/%Y"),
            "Al": (start + pd.Timedelta(days=20)).strftime("%d/%m/%Y"),
            "Importo (€)": amount.to_numpy(),
            "Pagata il": (start + pd.Timedelta(days=60)).strftime("%d/%m/%Y"),
        }
    )
    repeated = lines.sample(frac=0.01, random_state=1)
    pd.concat([lines, repeated]).to_csv(path, sep=";", index=False, encoding="utf-8")


class Clock:
    """Wall and CPU seconds per stage (other sessions share the 2 cores: CPU is steadier)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[stage], self.cpu[stage] = wall - self._wall, cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def run_once(folder: Path, vouchers: VoucherList) -> tuple[Clock, int, int]:
    clock = Clock()
    call = load_call(folder)
    spending = call.config.spending
    assert spending is not None
    listed = read_providers(call)
    providers, _ = check_providers(listed.rows, dict(spending.providers.columns))
    invoices = read_invoices(call)
    clock.lap("read")
    matched = match(invoices.rows, invoices.findings, providers, vouchers, spending,
                    dict(spending.invoices.columns))  # fmt: skip
    clock.lap("match")
    moves = tables.movements(matched.lines, matched.findings, vouchers, providers)
    result = SpendingResult(call, vouchers, providers, moves, matched.findings,
                            fund_names={f.id: f.name for f in call.config.funds})  # fmt: skip
    for table in (result.fund_table, result.partner_table, result.provider_table):
        table()
    clock.lap("tables")
    movements_csv(result)
    clock.lap("csv")
    _workbook(result, folder / "rendiconto.xlsx", dt.date(2018, 10, 15))
    clock.lap("xlsx")
    return clock, len(moves), int((moves["counted_cents"] > 0).sum())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lines", type=int, default=100_000)
    p.add_argument("--vouchers", type=int, default=30_000)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vouchers = make_call(folder, args.lines, args.vouchers, args.seed)
        runs = [run_once(folder, vouchers) for _ in range(args.repeat)]
    stages = ["read", "match", "tables", "csv", "xlsx"]
    wall = {k: min(r[0].wall[k] for r in runs) for k in stages}
    cpu = {k: min(r[0].cpu[k] for r in runs) for k in stages}
    print(f"{runs[0][1]:,} invoice lines ({runs[0][2]:,} counted), "
          f"{len(vouchers.vouchers):,} vouchers; seconds, best of {args.repeat}:")  # fmt: skip
    print(f"  {'stage':<7} {'wall':>7} {'cpu':>7}")
    for stage in stages:
        print(f"  {stage:<7} {wall[stage]:7.2f} {cpu[stage]:7.2f}")
    core = ["match", "tables", "csv"]
    print(f"  match + tables + csv: wall {sum(wall[k] for k in core):.2f}, "
          f"cpu {sum(cpu[k] for k in core):.2f}; all five stages: wall {sum(wall.values()):.2f}, "
          f"cpu {sum(cpu.values()):.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
