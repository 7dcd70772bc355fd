"""Writers: formatted Excel tables, the graduatoria (CSV/XLSX), anomalies workbooks.

- `conciliare_cli.write.xlsx`: print-ready Italian tables over XlsxWriter;
- `conciliare_cli.write.anomalies`: the anomalies workbooks of `validate`;
- `conciliare_cli.write.graduatoria`: the graduatoria CSV/XLSX and the run summary.

Files are written whole through conciliare_cli/atomic.py; Italian formats come from
conciliare_cli/italian.py.
"""
