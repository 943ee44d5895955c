"""Fused CUDA kernels (Triton) for the fast path that round exactly as PyTorch's separate ops do.

A fused kernel normally changes the rounding of what it replaces: the compiler contracts a multiply
and an add into one FMA (one rounding instead of two), and intermediates stay in fp32 where PyTorch
rounds each op's result to its output dtype. Through 40 transformer blocks such differences reach the
packed words (docs/benchmarks.md: ``torch.compile`` changed ~27 % of them). These kernels round every
intermediate where PyTorch does, to the dtype PyTorch's type promotion gives, and are compiled with
``enable_fp_fusion=False``, so their results are bit-identical (tests/test_fast.py on CUDA).

Without Triton (CPU-only torch builds) or off CUDA, callers keep PyTorch's ops (``available``).
"""

from __future__ import annotations

import warnings

import torch

try:
    import triton
    import triton.language as tl
except ImportError:  # CPU-only torch builds ship without Triton
    triton = None

ROWS_PER_PROGRAM = 32


def available(*tensors: torch.Tensor, rows_contiguous: bool = False) -> bool:
    """Whether the fused kernels can take these tensors: Triton working, CUDA, contiguous (or, with
    ``rows_contiguous``, contiguous along the last dimension only)."""
    return triton is not None and all(
        t.is_cuda and (t.stride(-1) == 1 if rows_contiguous else t.is_contiguous()) for t in tensors
    ) and _triton_works(tensors[0].device)


_works: dict[torch.device, bool] = {}


def _triton_works(device: torch.device) -> bool:
    """One tiny launch per device decides: Triton can be installed yet unable to build its launcher (it
    needs a C compiler at run time); then PyTorch's ops are used, with a warning."""
    if device not in _works:
        try:
            ones = torch.ones(1, 2, device=device)
            _works[device] = torch.equal(scaled_residual(ones, ones, ones[0]), ones + ones)
        except Exception as err:  # noqa: BLE001 (any failure to compile or launch means: do without)
            _works[device] = False
            warnings.warn(f"Fused kernels off ({type(err).__name__}: {err}); using PyTorch's ops.", stacklevel=2)
    return _works[device]


def float_rows(tokens: torch.Tensor) -> torch.Tensor:
    """``tokens.float().contiguous()`` for a (B, H, N, D) view whose rows of D are contiguous (q or k in a
    qkv tensor), reading whole rows: PyTorch's cast walks such a view element by element."""
    batch, heads, count, dim = tokens.shape
    out = torch.empty(tokens.shape, dtype=torch.float32, device=tokens.device)
    rows = batch * heads * count
    _float_rows_kernel[(triton.cdiv(rows, ROWS_PER_PROGRAM),)](
        tokens, out, rows, heads, count, *tokens.stride()[:3], DIM=dim, ROWS=ROWS_PER_PROGRAM)
    return out


def rope(tokens: torch.Tensor, cos: torch.Tensor, signed_sin: torch.Tensor, out_dtype: torch.dtype) -> torch.Tensor:
    """``(tokens * cos + tokens[..., swap] * signed_sin).to(out_dtype)`` in one kernel, where ``swap``
    exchanges the two quarters of each half of the last dimension (DA3's 2D RoPE, fast._FixedTableRope).

    tokens (B, H, N, D), D a power of two; cos and signed_sin (B, 1, N, D) in the tokens' dtype.
    """
    batch, heads, count, dim = tokens.shape
    out = torch.empty(tokens.shape, dtype=out_dtype, device=tokens.device)
    rows = batch * heads * count
    _rope_kernel[(triton.cdiv(rows, ROWS_PER_PROGRAM),)](
        tokens, cos, signed_sin, out, rows, heads * count, count,
        DIM=dim, ROWS=ROWS_PER_PROGRAM, enable_fp_fusion=False)
    return out


def scaled_residual(x: torch.Tensor, y: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """``x + y * gamma`` (DINOv2's layer scale and residual add) in one kernel: the product is rounded
    to its promoted dtype first, as the two PyTorch ops do. x (..., C), y (..., C), gamma (C,)."""
    product_dtype = torch.promote_types(y.dtype, gamma.dtype)
    out = torch.empty(x.shape, dtype=torch.promote_types(x.dtype, product_dtype), device=x.device)
    channels = x.shape[-1]
    rows = x.numel() // channels
    block = triton.next_power_of_2(channels)
    _scaled_residual_kernel[(rows,)](x, y, gamma, out, channels, PRODUCT=_TRITON_DTYPES[product_dtype],
                                     BLOCK=block, enable_fp_fusion=False)
    return out


if triton is not None:
    _TRITON_DTYPES = {torch.float32: tl.float32, torch.bfloat16: tl.bfloat16, torch.float16: tl.float16}

    @triton.jit
    def _float_rows_kernel(tokens, out, rows, heads, count, stride_b, stride_h, stride_n,
                           DIM: tl.constexpr, ROWS: tl.constexpr):
        row = (tl.program_id(0) * ROWS + tl.arange(0, ROWS)).to(tl.int64)[:, None]
        col = tl.arange(0, DIM)[None, :]
        source = (row // (heads * count)) * stride_b + (row // count % heads) * stride_h + (row % count) * stride_n
        values = tl.load(tokens + source + col, mask=row < rows)
        tl.store(out + row * DIM + col, values.to(tl.float32), mask=row < rows)

    @triton.jit
    def _rope_kernel(tokens, cos, signed_sin, out, rows, rows_per_item, count,
                     DIM: tl.constexpr, ROWS: tl.constexpr):
        row = (tl.program_id(0) * ROWS + tl.arange(0, ROWS)).to(tl.int64)[:, None]
        col = tl.arange(0, DIM)[None, :]
        swapped = (col // (DIM // 2)) * (DIM // 2) + (col % (DIM // 2) + DIM // 4) % (DIM // 2)
        table_row = (row // rows_per_item) * count + row % count  # tables broadcast over heads
        mask = row < rows
        dtype = tokens.dtype.element_ty
        x = tl.load(tokens + row * DIM + col, mask=mask).to(tl.float32)
        x_swapped = tl.load(tokens + row * DIM + swapped, mask=mask).to(tl.float32)
        c = tl.load(cos + table_row * DIM + col, mask=mask).to(tl.float32)
        s = tl.load(signed_sin + table_row * DIM + col, mask=mask).to(tl.float32)
        # As PyTorch: each product, then the sum, rounded to the tokens' dtype; then the cast.
        total = (x * c).to(dtype).to(tl.float32) + (x_swapped * s).to(dtype).to(tl.float32)
        tl.store(out + row * DIM + col, total.to(dtype).to(out.dtype.element_ty), mask=mask)

    @triton.jit
    def _scaled_residual_kernel(x, y, gamma, out, channels, PRODUCT: tl.constexpr, BLOCK: tl.constexpr):
        row = tl.program_id(0).to(tl.int64)
        col = tl.arange(0, BLOCK)
        mask = col < channels
        product = (tl.load(y + row * channels + col, mask=mask).to(tl.float32)
                   * tl.load(gamma + col, mask=mask).to(tl.float32)).to(PRODUCT)
        total = tl.load(x + row * channels + col, mask=mask).to(tl.float32) + product.to(tl.float32)
        tl.store(out + row * channels + col, total.to(out.dtype.element_ty), mask=mask)
