"""A Sparkplug B edge node TwinHub did not write (pysparkplug 0.6.1): node PlantA/PLC7 with a metric of its own and a
device Press. It is born, sends pressures 10.0, 11.0 … 15.0 as DDATA, then leaves with its NDEATH.

usage: foreign_edge_node.py HOST PORT
"""
import sys
import time

import pysparkplug as psp

host, port = sys.argv[1], int(sys.argv[2])
now = psp.get_current_timestamp
node = psp.EdgeNode(
    group_id="PlantA",
    edge_node_id="PLC7",
    metrics=[psp.Metric(timestamp=now(), name="Uptime", datatype=psp.DataType.INT64, value=1)],
)
node.register(psp.Device(
    device_id="Press",
    metrics=[
        psp.Metric(timestamp=now(), name="Pressure", datatype=psp.DataType.FLOAT, value=10.0),
        psp.Metric(timestamp=now(), name="Running", datatype=psp.DataType.BOOLEAN, value=True),
        psp.Metric(timestamp=now(), name="Recipe", datatype=psp.DataType.STRING, value="A-12"),
    ],
))
node.connect(host, port=port, blocking=False)
time.sleep(1.0)
for step in range(1, 6):
    node.update_device("Press", [psp.Metric(timestamp=now(), name="Pressure", datatype=psp.DataType.FLOAT, value=10.0 + step)])
    time.sleep(0.1)
time.sleep(0.5)
node.disconnect()
print("done")
