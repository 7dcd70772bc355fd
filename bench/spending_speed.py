"""Benchmark of the vouchers in use: N invoice lines read, matched, attributed and reported.

    python bench/spending_speed.py                    # 100,000 lines, 30,000 vouchers
    python bench/spending_speed.py --lines 300000 --vouchers 60000

A call folder is made in a temporary directory: the example's bando.yaml (with its
`spending:` section), a providers' list of 50 providers and one CSV of N invoice lines (';',
Italian amounts and dd/mm/yyyy dates, as a provider's system writes them) for vouchers split
between FSE and ATS; about 2% of the lines are outside the validity, 1% repeated, and the
spending of a voucher goes over it for about one voucher in ten; half the lines give the
voucher's code, a tenth a quantity and a unit price (a third of those above the 45,00 € tariff).
The vouchers are given directly (no ranking is run), then one scorrimento act: 2% of them
renounced on 15/01/2018, 3% more children funded by it. Reported per stage, in seconds (best of
--repeat): acts (the vouchers after the act and their codes), read (the partners' reader on the
CSV and the list), match (checks, tariffs, cap, funds), tables (movements and the four
summaries), csv (movimenti.csv) and xlsx (rendiconto.xlsx).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from conciliare_cli.spending.act_list import PublishedAct, combine, with_codes  # noqa: E402
from conciliare_cli.spending.matching import match  # noqa: E402
from conciliare_cli.spending.process import SpendingResult  # noqa: E402
from conciliare_cli.spending.provider_list import check_providers  # noqa: E402
from conciliare_cli.spending.reading import read_invoices, read_providers  # noqa: E402
from conciliare_cli.spending.report_files import _workbook, movements_csv  # noqa: E402
from conciliare_cli.spending.voucher_codes import voucher_codes  # noqa: E402
from conciliare_cli.spending.voucher_list import VoucherList  # noqa: E402

SERVICES = ["Pre e post scuola", "Centro estivo", "Attività ricreative", "Doposcuola"]


def make_call(folder: Path, n_lines: int, n_vouchers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    yaml = (ROOT / "examples" / "conciliare-2017" / "bando.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace(
        '      minor_name: "Minore"\n',
        '      minor_name: "Minore"\n      voucher_code: "Codice voucher"\n',
    )
    (folder / "bando.yaml").write_text(yaml, encoding="utf-8")
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
            "Tariffa (€)": "45,00",
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
    frame["voucher_code"] = "CONC2017-" + frame["application_id"] + "-1"
    _invoices(folder / "fatture" / "tutte.csv", frame, vats, n_lines, rng)
    return frame


def acts_of(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, list[PublishedAct]]:
    """The final list (funded vouchers, and 3% more children waiting) and one scorrimento."""
    rng = np.random.default_rng(seed + 1)
    n = len(frame)
    waiting = frame.sample(frac=0.03, random_state=seed).assign(
        voucher=lambda f: f["voucher"] + "W", application_id=lambda f: f["application_id"] + "W"
    )
    final = pd.concat([frame.assign(status="FINANZIATA"),
                       waiting.assign(status="AMMESSA_NON_FINANZIATA", awarded_cents=0,
                                      fund_FSE_cents=0, fund_ATS_cents=0)],
                      ignore_index=True)  # fmt: skip
    final["applicant_tax_code"] = final["application_id"]
    final["minor_slot"] = "1"
    act = final.copy()
    off = np.r_[rng.random(n) < 0.02, np.zeros(len(waiting), dtype=bool)]
    act.loc[off, "status"] = "RINUNCIA"
    act.loc[n:, ["status", "awarded_cents", "fund_FSE_cents"]] = ["FINANZIATA", 30000, 30000]
    events = [{"date": "2018-01-15", "kind": "rinuncia", "outcome": "", "application_id": a,
               "minor": ""} for a in act.loc[off, "application_id"]]  # fmt: skip
    manifest = {"date": "2018-02-01", "events": {"this_act": events}}
    return final, [PublishedAct(1, manifest, act, "1" * 64)]


def vouchers_of(call, final: pd.DataFrame, acts: list[PublishedAct]) -> VoucherList:
    out = combine(final, "2017-09-20", "0" * 64, acts, ["FSE", "ATS"])
    return with_codes(out, voucher_codes(call.config, final))


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
    coded = rng.random(n) < 0.5
    lines["Codice voucher"] = np.where(coded, vouchers["voucher_code"].to_numpy()[who], "")
    hours = rng.random(n) < 0.1
    price = np.where(rng.random(n) < 0.33, 5000, 4500)
    qty = np.maximum(1, cents // price)
    lines["Quantità"] = np.where(hours, qty.astype(str), "")
    lines["Prezzo unitario (€)"] = np.where(hours, (price // 100).astype(str) + ",00", "")
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


def run_once(folder: Path, frame: pd.DataFrame, seed: int) -> tuple[Clock, int, int, int]:
    call = load_call(folder)
    final, acts = acts_of(frame, seed)
    clock = Clock()
    vouchers = vouchers_of(call, final, acts)
    clock.lap("acts")
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
    return clock, len(moves), int((moves["counted_cents"] > 0).sum()), len(vouchers.vouchers)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lines", type=int, default=100_000)
    p.add_argument("--vouchers", type=int, default=30_000)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = make_call(folder, args.lines, args.vouchers, args.seed)
        runs = [run_once(folder, frame, args.seed) for _ in range(args.repeat)]
    stages = ["acts", "read", "match", "tables", "csv", "xlsx"]
    wall = {k: min(r[0].wall[k] for r in runs) for k in stages}
    cpu = {k: min(r[0].cpu[k] for r in runs) for k in stages}
    print(f"{runs[0][1]:,} invoice lines ({runs[0][2]:,} counted), "
          f"{runs[0][3]:,} vouchers; seconds, best of {args.repeat}:")  # fmt: skip
    print(f"  {'stage':<7} {'wall':>7} {'cpu':>7}")
    for stage in stages:
        print(f"  {stage:<7} {wall[stage]:7.2f} {cpu[stage]:7.2f}")
    core = ["acts", "match", "tables", "csv"]
    print(f"  acts + match + tables + csv: wall {sum(wall[k] for k in core):.2f}, "
          f"cpu {sum(cpu[k] for k in core):.2f}; all six stages: wall {sum(wall.values()):.2f}, "
          f"cpu {sum(cpu.values()):.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
