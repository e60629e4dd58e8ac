#!/usr/bin/env python3
"""Loads a floor.glb with two glTF libraries TwinHub did not write, and checks it against the layout it came from.

  pygltflib: the file parses as glTF 2.0 binary; a node per site, area and line, named by its id, holds its
             machines; each machine is a node named by its asset id with one child box
  trimesh:   the geometry loads (accessors, buffer views, indices); each machine's box, in world coordinates,
             is centred on the layout's position, with the layout's footprint, standing on the floor

Exits 0 when everything holds, else prints what does not and exits 1.
"""
import json
import sys

import numpy
import pygltflib
import trimesh


def main(scene_path, layout_path):
    layout = json.load(open(layout_path))
    problems = []
    gltf = pygltflib.GLTF2().load_binary(scene_path)
    if gltf.asset.version != "2.0":
        problems.append(f"asset version {gltf.asset.version}")
    by_path = {node.extras.get("path"): node for node in gltf.nodes if node.extras}
    for machine in layout["machines"]:
        node = by_path.get(machine["path"])
        if node is None:
            problems.append(f"no node for {machine['path']}")
            continue
        if node.name != machine["asset"]:
            problems.append(f"{machine['path']}: node named {node.name}, not {machine['asset']}")
        if len(node.children or []) != 1:
            problems.append(f"{machine['path']}: {len(node.children or [])} children, not its box")
        parent = machine["path"].rsplit("/", 1)[0]
        line = by_path.get(parent)
        if line is None or gltf.nodes.index(node) not in (line.children or []):
            problems.append(f"{machine['path']}: not a child of its line's node")

    scene = trimesh.load(scene_path, force="scene")
    for name, geometry in scene.geometry.items():
        # Faces wound counter-clockwise seen from outside, as glTF's front faces are, give a positive volume.
        if geometry.volume <= 0:
            problems.append(f"mesh {name}: volume {geometry.volume:.3f}, faces wound inside out")
    boxes = {name: scene.graph.get(name) for name in scene.graph.nodes_geometry}
    for machine in layout["machines"]:
        name = f"{machine['asset']}_box"
        matches = [node for node in boxes if node == name or node.startswith(name)]
        if not matches:
            problems.append(f"trimesh sees no box {name}")
            continue
        # Machines sharing an asset id share a box name: the one nearest the layout's position is this machine's.
        x, y, z = machine["pose"]["position"]
        best = None
        for node in matches:
            transform, geometry = scene.graph.get(node)
            corners = trimesh.transform_points(scene.geometry[geometry].vertices, transform)
            low, high = corners.min(axis=0), corners.max(axis=0)
            centre = (low + high) / 2
            distance = abs(centre[0] - x) + abs(centre[2] - z)
            if best is None or distance < best[0]:
                best = (distance, low, high)
        distance, low, high = best
        if distance > 1e-3:
            problems.append(f"{machine['path']}: box centred at ({(low[0]+high[0])/2:.3f}, {(low[2]+high[2])/2:.3f}), layout says ({x}, {z})")
        if abs(low[1]) > 1e-3:
            problems.append(f"{machine['path']}: box bottom at {low[1]:.3f}, not on the floor")
        if abs(machine["pose"]["yaw_deg"]) < 1e-6:
            size = high - low
            width, depth = machine["footprint"]["width"], machine["footprint"]["depth"]
            if abs(size[0] - width) > 1e-3 or abs(size[2] - depth) > 1e-3:
                problems.append(f"{machine['path']}: box {size[0]:.3f} × {size[2]:.3f}, footprint {width} × {depth}")
    for problem in problems:
        print(problem)
    print(f"{len(layout['machines'])} machines checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
