"""Publishing and audit: the public graduatoria, provisional/final, manifest.json, verify.

- `write_public(result, out_dir, status, run_date) -> list[Path]`: graduatoria-pubblica.xlsx
  and .pdf (no names, tax codes, e-mails or health data; see publish/public.py);
- `guard_final(target_dir, final, force, run_date)`: a DEFINITIVA result is never overwritten
  without --force, and then it is archived, never deleted (publish/final.py);
- `write_manifest(result, out_dir, status, run_date) -> Path`: manifest.json, written last
  (publish/manifest.py).

`verify` (conciliare_cli/audit.py) re-runs a call and compares it with its manifest.
"""

from conciliare_cli.publish.final import ARCHIVE, archive_result, guard_final, result_status
from conciliare_cli.publish.listing import (
    PublicList,
    pseudonym,
    public_id_for,
    public_ids,
    public_list,
    sensitive_criteria,
)
from conciliare_cli.publish.manifest import (
    MANIFEST,
    build_manifest,
    read_manifest,
    sha256_file,
    write_manifest,
)
from conciliare_cli.publish.public import PUBLIC_PDF, PUBLIC_XLSX, write_public

__all__ = [
    "ARCHIVE",
    "MANIFEST",
    "PUBLIC_PDF",
    "PUBLIC_XLSX",
    "PublicList",
    "archive_result",
    "build_manifest",
    "guard_final",
    "pseudonym",
    "public_id_for",
    "public_ids",
    "public_list",
    "read_manifest",
    "result_status",
    "sensitive_criteria",
    "sha256_file",
    "write_manifest",
    "write_public",
]
