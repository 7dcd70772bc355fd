"""Vouchers in use (issue 16): the providers' invoices matched to the vouchers of the final
list, each euro attributed to its fund, and the reports the funder asks for.

- `reading`: the providers' list and the invoices, read like the partners' files;
- `provider_list`: VAT numbers checked (python-stdnum), duplicates, services;
- `voucher_list`: the vouchers of the published DEFINITIVA graduatoria;
- `act_list`: the vouchers after every scorrimento (funded, completed, ended by an event);
- `matching`: the checks on each invoice line and the cap per voucher;
- `attribution`: cents per fund, largest-remainder rule;
- `report_tables`: per fund, per partner, per provider, per voucher, and the movements;
- `report_files`: rendiconto.xlsx, movimenti.csv and the findings per provider;
- `process`: all of it for a call folder;
- `participants`: the FSE participant data (Annex I) and what is missing;
- `transparency`: the transparency register (d.lgs. 33/2013 art. 26-27);
- `retention`: the retention index (every file, its SHA-256 and the date to keep it until).
"""
