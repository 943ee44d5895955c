"""splat_core: from one camera frame to Spark-packed 3D splats.

Stages, one module each:

- ``models``    loads a Depth Anything 3 network (hub, local path or random weights) on a device;
- ``frames``    normalises an input image and turns it into the network's input tensor;
- ``inference`` runs the network and returns depth, intrinsics and (optionally) Gaussians;
- ``gaussians`` / ``points``  turn that output into splats (DA3's Gaussians, or one splat per pixel);
- ``budget``    prunes and caps the splat count;
- ``pack``      packs splats into Spark's 16-byte ``PackedSplats`` records on the splats' device;
- ``wire``      wraps packed splats into the msgpack frame the browser viewer reads;
- ``export``    writes PLY and SPZ files;
- ``pipeline``  chains the stages for the app.

Importing this package is cheap: torch and DA3 load only when a stage module is imported.
"""

__all__ = ["SplatSet"]


def __getattr__(name):
    # Lazy re-export, so that ``import splat_core`` stays free of torch.
    if name == "SplatSet":
        from .splats import SplatSet

        return SplatSet
    raise AttributeError(name)
