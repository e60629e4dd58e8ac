#!/usr/bin/env python3
"""A client of `twinhub web`'s live stream, to learn the protocol from (a Unity, Unreal or three.js client does the
same): read the floor's layout once over HTTP, subscribe over the WebSocket, keep each machine's fields from the
snapshot and the deltas, and print what happens. Needs `pip install websockets`.

    python3 examples/stream_client.py http://127.0.0.1:8080 --count 20
"""
import argparse, json, urllib.request
from websockets.sync.client import connect

parser = argparse.ArgumentParser()
parser.add_argument("server", nargs="?", default="http://127.0.0.1:8080")
parser.add_argument("--path", default="#", help="which machines: a path pattern such as leuven/machining/#")
parser.add_argument("--count", type=int, default=0, help="stop after this many messages (0: never)")
arguments = parser.parse_args()

# Where each machine stands: metres, Y up; a 3D client puts its model for the asset there.
layout = json.load(urllib.request.urlopen(arguments.server + "/api/v1/layout"))
for machine in layout["machines"]:
    x, y, z = machine["pose"]["position"]
    print(f"{machine['path']:45} {machine['asset']:24} at ({x:6.1f}, {z:6.1f}) turned {machine['pose']['yaw_deg']:4.0f}°")

twins = {}  # path → the fields we asked for, as the last message left them
with connect(arguments.server.replace("http", "ws", 1) + "/api/v1/stream") as socket:
    socket.send(json.dumps({"op": "subscribe", "id": "example", "filter": {"path": arguments.path},
                            "fields": ["state", "connectivity", "oee", "worst_alert", "readings"], "max_rate": 2}))
    for received, text in enumerate(socket, start=1):
        message = json.loads(text)
        kind = message["type"]
        if kind in ("snapshot", "delta"):
            if kind == "snapshot":
                twins = {}
            for path, fields in message["twins"].items():
                twins.setdefault(path, {}).update(fields)  # a delta carries only what changed
            for path in message.get("removed", []):
                twins.pop(path, None)
            states = ", ".join(f"{p.split('/')[-1]}={f.get('state')}" for p, f in sorted(twins.items()))
            print(f"{kind} rev {message['rev']}: {states}", flush=True)
        elif kind == "alert":
            alert = message["event"]["alert"]
            print(f"alert {message['event']['event']}: {alert['machine']} {alert['severity']} {alert['message']}")
        elif kind == "connectivity":
            print(f"{message['path']} is {message['status']}")
        elif kind == "resync":
            print("fell behind: a fresh snapshot follows")
        elif kind == "error":
            print(f"refused: {message['reason']} (at {message['at']})")
        if arguments.count and received >= arguments.count:
            break
