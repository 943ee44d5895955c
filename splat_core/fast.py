"""The fast path: one frame's network forward replayed from a CUDA graph (eager elsewhere).

Eager DA3 is launch-bound on a big GPU: the giant model spends most of its ~80 ms launching kernels
(research/da3.md, addendum). A CUDA graph replays the whole forward with one launch. Two things in DA3
stop a graph from being captured, and both are per-resolution constants, so they are cached per
instance here instead (DA3's classes are not modified):

- the ViT's positional embedding is re-interpolated (bicubic, fp32) on every call; it depends only on
  the weights and the input size;
- the RoPE positions are rebuilt every call from a host tensor (``torch.zeros(...).to(device)``), a
  host-to-device copy that a graph cannot hold, and every attention block reads their maximum back to
  the host to size its frequency table (``int(positions.max())`` in ``RotaryPositionEmbedding2D``).

Graphs are captured lazily, one per input shape and mode. Their outputs are static tensors that the next
replay overwrites, so a caller must be done with one frame before starting the next (the engine's lock
guarantees that).
"""

from __future__ import annotations

import torch
from depth_anything_3.model.dinov2.layers.rope import RotaryPositionEmbedding2D

from .inference import NetworkOutput, branch_forward, output_of


# Positions along one image axis that the RoPE tables cover: more patches than any accepted frame has
# (frames.MAX_SIDE / 14). Table rows do not depend on the table's length, so results are unchanged.
ROPE_TABLE_LENGTH = 1200


class _FixedTableRope(RotaryPositionEmbedding2D):
    """DA3's 2D RoPE (dinov2/layers/rope.py) with a fixed-length frequency table, instead of one sized
    by ``int(positions.max())``, a host read-back on every call. All instances share one table cache,
    so the compiled transformer blocks see the same state and compile once."""

    def forward(self, tokens, positions):
        half = tokens.size(-1) // 2
        cos, sin = self._compute_frequency_components(half, ROPE_TABLE_LENGTH, tokens.device, tokens.dtype)
        vertical, horizontal = tokens.chunk(2, dim=-1)
        return torch.cat((self._apply_1d_rope(vertical, positions[..., 0], cos, sin),
                          self._apply_1d_rope(horizontal, positions[..., 1], cos, sin)), dim=-1)


def _cache_per_call_constants(vit) -> None:
    """Instance-level caches for the ViT's positional embedding and RoPE positions and tables."""
    shared_tables = {}
    for module in vit.modules():
        if isinstance(module, RotaryPositionEmbedding2D):
            module.__class__, module.frequency_cache = _FixedTableRope, shared_tables
    pos_embed_cache, rope_cache = {}, {}
    interpolate, prepare_rope = vit.interpolate_pos_encoding, vit._prepare_rope

    def cached_pos_embed(x, w, h):
        key = (x.shape[1], w, h, x.dtype, x.device)
        if key not in pos_embed_cache:
            pos_embed_cache[key] = interpolate(x, w, h)
        return pos_embed_cache[key]

    def cached_rope(batch, views, height, width, device):
        key = (batch, views, height, width, device)
        if key not in rope_cache:
            rope_cache[key] = prepare_rope(batch, views, height, width, device)
        return rope_cache[key]

    vit.interpolate_pos_encoding, vit._prepare_rope = cached_pos_embed, cached_rope


class _Captured:
    def __init__(self, net, x: torch.Tensor, want_gaussians: bool, pool, warmup: int = 3):
        self.input = x.clone()
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        # Warm-up (compilation, library handles) off the default stream, as torch.cuda.graph wants.
        with torch.cuda.stream(stream):
            for _ in range(warmup):
                self._forward(net, want_gaussians)
        torch.cuda.current_stream().wait_stream(stream)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph, pool=pool):
            self.output = self._forward(net, want_gaussians)

    def _forward(self, net, want_gaussians: bool) -> list[NetworkOutput]:
        out = branch_forward(net, self.input, want_gaussians)
        outputs = [output_of(net, out, frame) for frame in range(self.input.shape[0])]
        if want_gaussians:  # the per-pixel Gaussians are fixed-size work: keep them in the graph
            for output in outputs:
                output.live_gaussians = output.gaussians()
        return outputs


class FastNetwork:
    """A DepthAnything3Net forward with per-size constants cached, replayed from CUDA graphs on CUDA
    and run eagerly on other devices; same results as DA3's forward (tests/test_fast.py).

    ``compile_blocks`` also compiles the transformer blocks with ``torch.compile`` on CUDA: about 7 ms
    less for giant on an H100, but its fused kernels round differently and change about a quarter of
    the packed words (relative errors ~5e-5), so it is off by default (docs/benchmarks.md). The heads
    stay in fp32, as in DA3: under bf16 they were no faster and changed up to 55 % of the words.
    """

    def __init__(self, net, compile_blocks: bool = False):
        self.net = net
        vit = net.backbone.pretrained
        _cache_per_call_constants(vit)
        if compile_blocks and next(net.parameters()).is_cuda:
            # Regional compilation: the 12–40 transformer blocks share one compiled graph, which fuses
            # the layer norms and elementwise kernels that dominate the backbone's GPU time.
            # The shared RoPE tables are filled first, so compiled code never sees them change.
            for block in vit.blocks:
                if isinstance(block.attn.rope, RotaryPositionEmbedding2D):
                    half = block.attn.qkv.in_features // block.attn.num_heads // 2
                    for dtype in (torch.float32, torch.bfloat16):
                        block.attn.rope._compute_frequency_components(half, ROPE_TABLE_LENGTH,
                                                                      next(net.parameters()).device, dtype)
            for block in vit.blocks:
                block.compile(dynamic=False)
        self._captured: dict[tuple, _Captured] = {}
        # Graphs never replay concurrently (one caller at a time), so they can share one memory pool.
        self._pool = torch.cuda.graph_pool_handle() if torch.cuda.is_available() else None

    @torch.inference_mode()
    def __call__(self, x: torch.Tensor, want_gaussians: bool) -> list[NetworkOutput]:
        """Outputs for the frames of x (B, 1, 3, h, w); one graph per batch size, size and mode."""
        if x.device.type != "cuda":
            out = branch_forward(self.net, x, want_gaussians)
            return [output_of(self.net, out, frame) for frame in range(x.shape[0])]
        key = (tuple(x.shape), x.dtype, want_gaussians)
        captured = self._captured.get(key)
        if captured is None:
            captured = self._captured[key] = _Captured(self.net, x, want_gaussians, self._pool)
        captured.input.copy_(x)
        captured.graph.replay()
        return captured.output
