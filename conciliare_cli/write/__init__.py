"""Writers: formatted Excel tables, the graduatoria (CSV/XLSX), anomalies workbooks, atomic output.

- `conciliare_cli.write.xlsx`: print-ready Italian tables over XlsxWriter, `atomic_output`,
  `atomic_file`, `atomic_write_bytes`;
- `conciliare_cli.write.anomalies`: the anomalies workbooks of `validate`;
- `conciliare_cli.write.graduatoria`: the graduatoria CSV/XLSX and the run summary;
- `conciliare_cli.write.italian`: Italian formatting helpers (Babel).
"""
