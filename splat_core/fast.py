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

With graphs the forward is bound by GPU time, so work that does not change any result is cut too: RoPE
in 4 kernels instead of 13, the heads' UV embeddings cached per size, the depth head's unused ray branch
skipped, the backbone's weights stored in the bf16 that autocast casts them to on every call, and on
CUDA, RoPE (with attention's bf16 cast) and each layer-scale residual as single Triton kernels that
round exactly as PyTorch's separate ops (``kernels``). Every change keeps DA3's arithmetic: outputs are
bit-identical (tests/test_fast.py).

Graphs are captured lazily, one per input shape and mode (and one per scan window shape). Their outputs
are static tensors that the next replay overwrites, so a caller must be done with one frame before
starting the next (the engine's lock guarantees that).
"""

from __future__ import annotations

import functools
import logging

import torch
import torch.nn.functional as F
from depth_anything_3.model.dinov2.layers.attention import Attention
from depth_anything_3.model.dinov2.layers.block import Block
from depth_anything_3.model.dinov2.layers.layer_scale import LayerScale
from depth_anything_3.model.dinov2.layers.rope import RotaryPositionEmbedding2D
from depth_anything_3.model.dpt import DPT
from depth_anything_3.model.dualdpt import DualDPT
from depth_anything_3.model.utils.head_utils import create_uv_grid, custom_interpolate, position_grid_to_embed

from . import kernels
from .inference import NetworkOutput, branch_forward, output_of, window_outputs


log = logging.getLogger(__name__)

# Positions along one image axis that the RoPE tables cover: more patches than any accepted frame has
# (frames.MAX_SIDE / 14). Table rows do not depend on the table's length, so results are unchanged.
ROPE_TABLE_LENGTH = 1200
# Graphs kept per network, least recently used dropped first. Each holds its static inputs and outputs
# (a few MB; a full-size photo's pixels for a photo); live webcams need one per size, batch size and mode.
MAX_GRAPHS = 16


class _FixedTableRope(RotaryPositionEmbedding2D):
    """DA3's 2D RoPE (dinov2/layers/rope.py), same arithmetic in fewer kernels.

    DA3 sizes its frequency table by ``int(positions.max())`` (a host read-back in every attention
    block) and spends about 13 kernels per call on gathers, slices, negations and concatenations. Here
    the table has a fixed length, and for the long-lived position tensors of ``_cache_per_call_constants``
    the per-token cosines and signed sines are gathered once, so a call is one gather and three
    elementwise kernels: ``tokens * cos + tokens[..., swap] * signed_sin``. Each output element sees
    the same two products and one sum as in DA3 (a sign flip is exact), so results are bit-identical.
    On CUDA with Triton that is one kernel (``kernels.rope``), which also does attention's bf16 cast.
    """

    feeds_attention = False  # set by _fuse_blocks: scaled_dot_product_attention takes the result next

    def forward(self, tokens, positions):
        dim = tokens.size(-1)
        cos, signed_sin, swap = self._tables(dim, positions, tokens.dtype)
        if self.feeds_attention and dim & (dim - 1) == 0 and kernels.available(tokens, cos, signed_sin):
            # One exact kernel, emitting the dtype that attention under autocast would cast it to.
            autocast = torch.is_autocast_enabled("cuda")
            return kernels.rope(tokens, cos, signed_sin,
                                torch.get_autocast_dtype("cuda") if autocast else tokens.dtype)
        return tokens * cos + tokens[..., swap] * signed_sin

    def _tables(self, dim: int, positions: torch.Tensor, dtype: torch.dtype):
        key = (dim, positions.data_ptr(), positions.shape, positions.stride(), dtype)
        tables = self.token_tables.get(key)
        if tables is None:
            tables = self._token_tables(dim, positions, dtype)
            if positions.data_ptr() in self.lasting_positions:  # never freed, so the address is a safe key
                self.token_tables[key] = tables
        return tables

    def _token_tables(self, dim: int, positions: torch.Tensor, dtype: torch.dtype):
        # The features split into a vertical and a horizontal half, each rotated by its own coordinate;
        # within a half, DA3's rotate_half pairs element j with j + quarter: (x1, x2) -> (-x2, x1).
        half, quarter = dim // 2, dim // 4
        cos_table, sin_table = self._compute_frequency_components(half, ROPE_TABLE_LENGTH, positions.device,
                                                                  dtype)
        cos = torch.cat([cos_table[positions[..., axis]] for axis in (0, 1)], dim=-1)[:, None]
        sin = torch.cat([sin_table[positions[..., axis]] for axis in (0, 1)], dim=-1)[:, None]
        within_half = torch.arange(half, device=positions.device).roll(quarter)
        swap = torch.cat([within_half, within_half + half])
        sign = torch.ones(dim, dtype=dtype, device=positions.device)
        sign[:quarter], sign[half:half + quarter] = -1, -1
        return cos, sin * sign, swap


class _FusedResidualBlock(Block):
    """DINOv2's block (its inference path), each layer scale and residual add as one exact kernel."""

    def forward(self, x, pos=None, attn_mask=None):
        x = _scaled_residual(x, self.attn(self.norm1(x), pos=pos, attn_mask=attn_mask), self.ls1)
        return _scaled_residual(x, self.mlp(self.norm2(x)), self.ls2)


class _FusedAttention(Attention):
    """DINOv2's attention (its inference path, with scaled_dot_product_attention). Autocast runs the
    q/k layer norms in fp32 and casts their strided bf16 inputs element by element; here one kernel
    reads whole rows instead (``kernels.float_rows``), and the norms get the same contiguous fp32 input."""

    def forward(self, x, pos=None, attn_mask=None):
        batch, count, channels = x.shape
        qkv = self.qkv(x).reshape(batch, count, 3, self.num_heads, channels // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if torch.is_autocast_enabled("cuda") and kernels.available(q, k, rows_contiguous=True):
            q, k = kernels.float_rows(q), kernels.float_rows(k)
        q, k = self.q_norm(q), self.k_norm(k)
        if self.rope is not None and pos is not None:
            q, k = self.rope(q, pos), self.rope(k, pos)
        mask = None if attn_mask is None else attn_mask[:, None].repeat(1, self.num_heads, 1, 1)
        x = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.proj(x.transpose(1, 2).reshape(batch, count, channels))


class _CompiledBlock(Block):
    """DINOv2's block (its inference path) with its arithmetic left to Inductor (``torch.compile``):
    layer norms, casts, RoPE and residuals fuse into a few kernels, matrix products and attention stay
    cuBLAS's and SDPA's. Fused kernels round differently from PyTorch's separate ops, so this is for
    the tuned path only (``FastNetwork(tuned=True)``), within the accuracy bar of tests/test_fast.py."""

    def forward(self, x, pos=None, attn_mask=None):
        rope = self.attn.rope if pos is not None else None
        # RoPE's tables are found by the positions' address, which compiled code cannot look up: the
        # lookup stays outside, and the rotation itself is compiled. q is rotated in the residual
        # stream's dtype (fp32: under autocast q's layer norm runs in fp32), as in DA3.
        tables = rope._tables(x.shape[-1] // self.attn.num_heads, pos, x.dtype) if rope is not None else None
        return _compiled_block_math(self, x, tables, attn_mask)


def _block_math(block: Block, x, tables, attn_mask):
    """One DINOv2 block, its attention with scaled_dot_product_attention: the operations of
    ``Block.forward`` and ``Attention.forward`` (dinov2/layers) at inference."""
    attn = block.attn
    batch, count, channels = x.shape
    qkv = attn.qkv(block.norm1(x)).reshape(batch, count, 3, attn.num_heads, channels // attn.num_heads)
    q, k, v = qkv.permute(2, 0, 3, 1, 4)
    q, k = attn.q_norm(q), attn.k_norm(k)
    if tables is not None:
        cos, signed_sin, swap = tables
        q, k = q * cos + q[..., swap] * signed_sin, k * cos + k[..., swap] * signed_sin
    mask = None if attn_mask is None else attn_mask[:, None].repeat(1, attn.num_heads, 1, 1)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(batch, count, channels)
    x = x + block.ls1(attn.proj(y))
    return x + block.ls2(block.mlp(block.norm2(x)))


# One compiled function for every block: the blocks are its arguments (Dynamo inlines nn.Modules and
# guards on their shapes, not their identity), and sizes are symbolic, so a new frame size or batch
# size does not compile again (sizes 1 and above 1 compile apart: Dynamo specialises on 1).
_compiled_block_math = torch.compile(_block_math, dynamic=True)


def _compile_blocks(vit) -> None:
    for block in vit.blocks:
        attn = block.attn
        if (type(block) is Block and type(attn) is Attention and attn.fused_attn
                and (attn.rope is None or isinstance(attn.rope, _FixedTableRope))):
            block.__class__ = _CompiledBlock


def _scaled_residual(x: torch.Tensor, y: torch.Tensor, scale: LayerScale) -> torch.Tensor:
    if kernels.available(x, y, scale.gamma):
        return kernels.scaled_residual(x, y, scale.gamma)
    return x + scale(y)


def _fuse_blocks(vit) -> None:
    """The transformer blocks' layer-scale residuals, q/k casts and RoPE as fused exact kernels."""
    for block in vit.blocks:
        if (type(block) is Block and isinstance(block.ls1, LayerScale) and isinstance(block.ls2, LayerScale)
                and not (block.ls1.inplace or block.ls2.inplace)):
            block.__class__ = _FusedResidualBlock
        attn = block.attn
        if type(attn) is Attention and attn.fused_attn and isinstance(attn.q_norm, torch.nn.LayerNorm):
            attn.__class__ = _FusedAttention
    # A RoPE module may emit attention's dtype only if every attention using it calls SDPA right after.
    users = [block.attn for block in vit.blocks if isinstance(getattr(block.attn, "rope", None), _FixedTableRope)]
    for attn in users:
        attn.rope.feeds_attention = all(other.fused_attn for other in users if other.rope is attn.rope)


def _cache_per_call_constants(vit) -> None:
    """Instance-level caches for the ViT's positional embedding and RoPE positions and tables."""
    frequency_tables, token_tables, lasting_positions = {}, {}, set()
    for module in vit.modules():
        if isinstance(module, RotaryPositionEmbedding2D):
            module.__class__ = _FixedTableRope
            module.frequency_cache, module.token_tables = frequency_tables, token_tables
            module.lasting_positions = lasting_positions
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
            lasting_positions.update(pos.data_ptr() for pos in rope_cache[key] if pos is not None)
        return rope_cache[key]

    vit.interpolate_pos_encoding, vit._prepare_rope = cached_pos_embed, cached_rope


def _cache_uv_embedding(head) -> None:
    """DPT heads rebuild a sinusoidal UV embedding for each feature map on every call (a dozen small
    kernels, five or six maps per head); it depends only on the map's size. Kept in the same layout
    (a permuted, expanded view), so the sums and the convolutions after them are unchanged."""
    cache = {}

    def cached_add_pos_embed(x, W, H, ratio=0.1):
        key = (tuple(x.shape[1:]), W, H, ratio, x.dtype, x.device)
        if key not in cache:
            grid = create_uv_grid(x.shape[-1], x.shape[-2], aspect_ratio=W / H, dtype=x.dtype, device=x.device)
            cache[key] = (position_grid_to_embed(grid, x.shape[1]) * ratio).permute(2, 0, 1)[None]
        return x + cache[key].expand(x.shape[0], -1, -1, -1)

    head._add_pos_embed = cached_add_pos_embed


def _store_autocast_weights(backbone) -> None:
    """Under bf16 autocast every linear layer and convolution casts its fp32 weight and bias to bf16 on
    every call (autocast caches casts only for tensors that require grad): for giant, ~450 cast kernels
    and 6.6 GB of memory traffic a frame. Stored in bf16 once, autocast passes them through, and the
    products are the same (one cast is one rounding, wherever it happens). Only for devices where the
    backbone runs under autocast (``inference.autocast``)."""
    for module in backbone.modules():
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
            module.to(torch.bfloat16)


def _skip_ray_branch(head: DualDPT) -> None:
    """DualDPT predicts a ray map beside depth, from a second fusion pyramid with four 5-convolution
    stacks at full feature resolution, and DA3 deletes it when the camera decoder gives the camera
    (``DepthAnything3Net._process_camera_estimation``). Only the depth branch is computed here; its
    operations are those of ``DualDPT._forward_impl``, so depth and confidence are bit-identical."""

    def depth_branch(feats, H, W, patch_start_idx):
        batch, _, channels = feats[0].shape
        rows, cols = H // head.patch_size, W // head.patch_size
        pyramid = []
        for stage, layer in enumerate(head.intermediate_layer_idx):
            x = head.norm(feats[layer][:, patch_start_idx:]).permute(0, 2, 1).reshape(batch, channels, rows, cols)
            x = head.projects[stage](x)
            if head.pos_embed:
                x = head._add_pos_embed(x, W, H)
            pyramid.append(head.resize_layers[stage](x))
        fused = head.scratch.output_conv1(DPT._fuse(head, pyramid))  # DualDPT's main pyramid = DPT's
        size = (int(rows * head.patch_size / head.down_ratio), int(cols * head.patch_size / head.down_ratio))
        fused = custom_interpolate(fused, size, mode="bilinear", align_corners=True)
        if head.pos_embed:
            fused = head._add_pos_embed(fused, W, H)
        logits = head.scratch.output_conv2(fused).permute(0, 2, 3, 1)
        return {head.head_main: head._apply_activation_single(logits[..., :-1], head.activation).squeeze(-1),
                f"{head.head_main}_conf": head._apply_activation_single(logits[..., -1], head.conf_activation)}

    head._forward_impl = depth_branch


class _Captured:
    """``fn`` on static copies of its inputs, captured in a CUDA graph."""

    def __init__(self, fn, inputs: tuple[torch.Tensor, ...], pool, warmup: int = 3):
        self.inputs = [tensor.clone() for tensor in inputs]
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        # Warm-up (library handles, cached constants) off the default stream, as torch.cuda.graph wants.
        with torch.cuda.stream(stream):
            for _ in range(warmup):
                fn(*self.inputs)
        torch.cuda.current_stream().wait_stream(stream)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph, pool=pool):
            self.output = fn(*self.inputs)


class FastNetwork:
    """A DepthAnything3Net forward with per-size constants cached and unused work skipped, replayed
    from CUDA graphs on CUDA and run eagerly on other devices; bit-identical to DA3's forward
    (tests/test_fast.py). The heads stay in fp32, as in DA3: under bf16 they were no faster and changed
    up to 55 % of the packed words.

    ``tuned`` compiles the transformer blocks (``_CompiledBlock``) and runs the heads channels-last: on
    an H200 about a quarter less GPU time for giant, with relative errors ~4e-5, far inside the accuracy
    bar's 1e-3 (``accuracy``), but the 16-bit depth codes move by more than one step (one step is
    1.5e-5 of the depth at the near end, finer than bf16 kernels agree), so it is opt-in
    (docs/benchmarks.md).
    """

    def __init__(self, net, tuned: bool = False):
        self.net, self.tuned = net, tuned
        on_cuda = next(net.parameters()).is_cuda
        vit = net.backbone.pretrained
        _cache_per_call_constants(vit)
        (_compile_blocks if self.tuned else _fuse_blocks)(vit)
        heads = [head for head in (net.head, getattr(net, "gs_head", None)) if isinstance(head, (DPT, DualDPT))]
        for head in heads:
            _cache_uv_embedding(head)
            if self.tuned:  # cuDNN's NHWC convolutions, without a transpose before and after each one
                head.to(memory_format=torch.channels_last)
        if isinstance(net.head, DualDPT) and net.cam_dec is not None:
            _skip_ray_branch(net.head)
        if on_cuda:
            _store_autocast_weights(net.backbone)
        self._captured: dict[tuple, _Captured] = {}
        self._uncapturable: set[tuple] = set()  # keys whose capture failed: run eagerly
        # Made on first use, not here: on ZeroGPU, CUDA must not be touched before the worker forks.
        self._side_stream = None  # the Gaussian head's (inference.branch_forward)
        self._pool = None  # graphs never replay concurrently (one caller at a time): they share one pool

    def forward(self, x: torch.Tensor, want_gaussians: bool) -> list[NetworkOutput]:
        """The eager forward that the graphs hold: outputs for the frames of x (B, 1, 3, h, w), with the
        per-pixel Gaussians (no SH) already made, as fixed-size work belongs in the graph."""
        out = branch_forward(self.net, x, want_gaussians, gaussian_stream=self._gaussian_stream(x))
        outputs = [output_of(self.net, out, frame) for frame in range(x.shape[0])]
        if want_gaussians:
            for output in outputs:
                output.live_gaussians = output.gaussians()
        return outputs

    def __call__(self, x: torch.Tensor, want_gaussians: bool) -> list[NetworkOutput]:
        """``forward``, replayed from a graph per batch size, size and mode on CUDA."""
        return self.replay(("network", want_gaussians), functools.partial(self.forward, want_gaussians=want_gaussians), x)

    def window(self, x: torch.Tensor, last_view_gaussians: bool = False) -> tuple[list[NetworkOutput], torch.Tensor]:
        """A multi-view window x (1, V, 3, h, w) as ``inference.run_window`` returns it, replayed from a
        graph per window shape on CUDA (a scan's keyframe: eager giant spends most of its time launching)."""
        return self.replay(("window", last_view_gaussians),
                           functools.partial(self._window_forward, last_view_gaussians=last_view_gaussians), x)

    def _window_forward(self, x: torch.Tensor, last_view_gaussians: bool):
        return window_outputs(self.net, branch_forward(self.net, x, last_view_gaussians,
                                                       gaussian_stream=self._gaussian_stream(x), gaussian_views=1))

    def _gaussian_stream(self, x: torch.Tensor):
        if x.is_cuda and self._side_stream is None:
            self._side_stream = torch.cuda.Stream(x.device)
        return self._side_stream if x.is_cuda else None

    @torch.inference_mode()
    def replay(self, key, fn, *inputs: torch.Tensor):
        """``fn(*inputs)``: on CUDA replayed from a graph captured on the first call for ``key`` and these
        input shapes, on other devices run eagerly. ``fn`` must be capturable: static shapes, no host
        synchronisation. Outputs are the graph's static tensors, overwritten by the next replay."""
        if inputs[0].device.type != "cuda":
            return fn(*inputs)
        key = (key, *((tuple(tensor.shape), tensor.dtype) for tensor in inputs))
        if key in self._uncapturable:
            return fn(*inputs)
        captured = self._captured.pop(key, None)  # re-inserted below: the dict's order is recency of use
        if captured is None:
            if len(self._captured) >= MAX_GRAPHS:  # photos of ever new sizes must not pile up graphs
                del self._captured[next(iter(self._captured))]
            self._pool = self._pool or torch.cuda.graph_pool_handle()
            try:
                captured = _Captured(fn, inputs, self._pool)
            except RuntimeError as err:  # an operation a graph cannot hold: slower, but the frame goes on
                log.warning("CUDA graph capture failed for %s (%s); running it eagerly", key[0], err)
                self._uncapturable.add(key)
                return fn(*inputs)
        self._captured[key] = captured
        for static, tensor in zip(captured.inputs, inputs):
            static.copy_(tensor)
        captured.graph.replay()
        return captured.output
