#!/usr/bin/env python3
"""Decodes a Sparkplug B payload with pysparkplug and prints it as JSON: what another library reads from bytes TwinHub
wrote. Used by SparkplugTests.InteropTests (skipped when pysparkplug is not installed); also handy by hand.

usage: decode_with_pysparkplug.py VERB HEX [BIRTH_HEX]
  VERB       NBIRTH, DBIRTH, NDATA, DDATA, NDEATH, DDEATH, NCMD or DCMD
  BIRTH_HEX  for NDATA/DDATA: the birth that names the aliases
"""
import base64
import datetime
import json
import sys

import pysparkplug as spb

CLASSES = {"NBIRTH": spb.NBirth, "DBIRTH": spb.DBirth, "NDATA": spb.NData, "DDATA": spb.DData,
           "NDEATH": spb.NDeath, "DDEATH": spb.DDeath, "NCMD": spb.NCmd, "DCMD": spb.DCmd}


def plain(value):
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, datetime.datetime):
        return {"ms": round(value.timestamp() * 1000)}
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def metric(m):
    return {"name": m.name, "alias": m.alias, "datatype": m.datatype.name, "value": plain(m.value),
            "is_null": m.is_null, "timestamp": m.timestamp}


def main():
    verb, data = sys.argv[1], bytes.fromhex(sys.argv[2])
    birth = spb.DBirth.decode(bytes.fromhex(sys.argv[3])) if len(sys.argv) > 3 else None
    payload = CLASSES[verb].decode(data, birth=birth)
    out = {"timestamp": payload.timestamp, "seq": getattr(payload, "seq", None)}
    if verb == "NDEATH":
        out["metrics"] = [metric(payload.bd_seq_metric)]
    else:
        out["metrics"] = [metric(m) for m in getattr(payload, "metrics", ())]
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
