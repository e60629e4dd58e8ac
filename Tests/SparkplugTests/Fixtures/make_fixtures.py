#!/usr/bin/env python3
"""Writes Sparkplug B payload fixtures with pysparkplug (a Sparkplug B library TwinHub did not write), as hex.

Run from this folder: python3 make_fixtures.py   (needs: pip install pysparkplug==0.6.1)
SparkplugTests.InteropTests reads the .hex files; README.md says what each holds.
"""
import datetime
import pysparkplug as spb
from pysparkplug import _protobuf as pb  # the library's own generated schema, for metric properties

T = 1_700_000_000_000  # 2023-11-14T22:13:20Z, in ms


def write(name, data):
    with open(f"{name}.hex", "w") as f:
        f.write(data.hex() + "\n")


# NBIRTH: seq 0, bdSeq (Int64), Node Control/Rebirth (Boolean), typed metrics with aliases, one null.
nbirth = spb.NBirth(
    timestamp=T,
    seq=0,
    metrics=(
        spb.Metric(timestamp=T, name="bdSeq", datatype=spb.DataType.INT64, value=3),
        spb.Metric(timestamp=T, name="Node Control/Rebirth", datatype=spb.DataType.BOOLEAN, value=False),
        spb.Metric(timestamp=T, name="Int8", datatype=spb.DataType.INT8, value=-5, alias=1),
        spb.Metric(timestamp=T, name="Int16", datatype=spb.DataType.INT16, value=-30000, alias=2),
        spb.Metric(timestamp=T, name="Int32", datatype=spb.DataType.INT32, value=-123456, alias=3),
        spb.Metric(timestamp=T, name="Int64", datatype=spb.DataType.INT64, value=-9_000_000_000, alias=4),
        spb.Metric(timestamp=T, name="UInt8", datatype=spb.DataType.UINT8, value=250, alias=5),
        spb.Metric(timestamp=T, name="UInt16", datatype=spb.DataType.UINT16, value=65000, alias=6),
        spb.Metric(timestamp=T, name="UInt32", datatype=spb.DataType.UINT32, value=4_000_000_000, alias=7),
        spb.Metric(timestamp=T, name="UInt64", datatype=spb.DataType.UINT64, value=18_000_000_000_000_000_000, alias=8),
        spb.Metric(timestamp=T, name="Float", datatype=spb.DataType.FLOAT, value=1.5, alias=9),
        spb.Metric(timestamp=T, name="Double", datatype=spb.DataType.DOUBLE, value=-2.25, alias=10),
        spb.Metric(timestamp=T, name="Boolean", datatype=spb.DataType.BOOLEAN, value=True, alias=11),
        spb.Metric(timestamp=T, name="String", datatype=spb.DataType.STRING, value="Grüße", alias=12),
        spb.Metric(timestamp=T, name="DateTime", datatype=spb.DataType.DATETIME,
                   value=datetime.datetime.fromtimestamp(1_600_000_000.250, tz=datetime.timezone.utc), alias=13),
        spb.Metric(timestamp=T, name="Text", datatype=spb.DataType.TEXT, value="long text", alias=14),
        spb.Metric(timestamp=T, name="UUID", datatype=spb.DataType.UUID, value="123e4567-e89b-12d3-a456-426614174000", alias=15),
        spb.Metric(timestamp=T, name="Bytes", datatype=spb.DataType.BYTES, value=b"\x00\x01\xff", alias=16),
        spb.Metric(timestamp=T, name="Int32Array", datatype=spb.DataType.INT32_ARRAY, value=(123456789, -1), alias=17),
        spb.Metric(timestamp=T, name="Null", datatype=spb.DataType.DOUBLE, value=None, is_null=True, alias=18),
    ),
)
write("nbirth", nbirth.encode())

# DBIRTH: seq 1, device metrics with aliases, then engUnit/engLow/engHigh properties added with the library's schema.
dbirth = spb.DBirth(
    timestamp=T,
    seq=1,
    metrics=(
        spb.Metric(timestamp=T, name="spindle_speed", datatype=spb.DataType.DOUBLE, value=12000.5, alias=20),
        spb.Metric(timestamp=T, name="State", datatype=spb.DataType.STRING, value="running", alias=21),
    ),
)
payload = pb.Payload.FromString(dbirth.encode())
props = payload.metrics[0].properties
props.keys.extend(["engUnit", "engLow", "engHigh"])
unit = props.values.add(); unit.type = spb.DataType.STRING; unit.string_value = "rpm"
low = props.values.add(); low.type = spb.DataType.DOUBLE; low.double_value = 0.0
high = props.values.add(); high.type = spb.DataType.DOUBLE; high.double_value = 24000.0
write("dbirth", payload.SerializeToString())

# DDATA: seq 2, by alias only (pysparkplug leaves names and datatypes out of data messages).
ddata = spb.DData(
    timestamp=T + 1000,
    seq=2,
    metrics=(
        spb.Metric(timestamp=T + 1000, name=None, alias=20, datatype=spb.DataType.DOUBLE, value=11999.0),
        spb.Metric(timestamp=T + 1000, name=None, alias=21, datatype=spb.DataType.STRING, value="held"),
    ),
)
write("ddata", ddata.encode())

# NDEATH: only bdSeq, no seq.
ndeath = spb.NDeath(timestamp=T + 2000, bd_seq_metric=spb.Metric(timestamp=None, name="bdSeq", datatype=spb.DataType.INT64, value=3))
write("ndeath", ndeath.encode())
print("wrote nbirth.hex dbirth.hex ddata.hex ndeath.hex")
