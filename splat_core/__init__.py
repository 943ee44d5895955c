"""splat_core: from one camera frame to a wire frame of 3D splats (docs/wire-format.md).

Stages, one module each:

- ``models``    loads a Depth Anything 3 network (hub, local path or random weights) on a device;
- ``frames``    normalises an input image and turns it into the network's input tensor;
- ``inference`` runs the network and returns depth, intrinsics and (optionally) Gaussians;
- ``gaussians`` / ``points``  turn that output into splats (DA3's Gaussians, or one splat per pixel);
- ``budget``    marks the pixels whose splats are not worth sending (pruning);
- ``planes``    quantises the splats into wire format 2's per-attribute planes on their device, then
  compresses them (zlib, JPEG); ``pack`` gives it Spark's rotation bytes;
- ``wire``      the format: plane layouts, the msgpack envelope, decoding;
- ``export``    writes PLY and SPZ files;
- ``pipeline``  chains the stages for the app; ``fast`` replays them from CUDA graphs (exact, or
  ``tuned`` with compiled kernels, held to ``accuracy``'s bar); ``engine`` shares the GPU between
  sessions; ``scan`` fuses keyframes into one scene; ``host_memory`` keeps freed memory going back to
  the system.

Importing this package is cheap: torch and DA3 load only when a stage module is imported.
"""

__all__ = ["SplatSet"]


def __getattr__(name):
    # Lazy re-export, so that ``import splat_core`` stays free of torch.
    if name == "SplatSet":
        from .splats import SplatSet

        return SplatSet
    raise AttributeError(name)
