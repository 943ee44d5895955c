"""Scan mode: walk the camera around and build one scene (README, "Scan mode").

- ``keyframes``     picks keyframes from the stream (enough motion since the last one);
- ``sources``       turns a window of views into depths, relative poses and optionally the new view's
                    Gaussians (DA3, or a known truth);
- ``geometry``      rigid motions of points and splat orientations;
- ``registration``  places each keyframe in the world: a window with its anchors, Sim(3) to the world;
- ``fusion``        one voxel grid over the world: revisits do not double, a budget bounds the scene;
- ``scene``         the per-session scan: frames in, wire-frame deltas out, export;
- ``synthetic``     a textured room with known depths and poses, for tests and benchmarks.
"""
