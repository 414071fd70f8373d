"""API drift: the keyword arguments (and option values) we pass still exist in the installed libraries.

transformers, TRL, peft and bitsandbytes rename and remove arguments often (``torch_dtype`` ->
``dtype``, ``max_seq_length`` -> ``max_length``, ``tokenizer=`` -> ``processing_class=``,
``warmup_ratio`` gone). A learner's Colab installs the newest releases; this test fails here
first, naming what changed, instead of a notebook failing there. No GPU, no network.
"""

import inspect
import re

import pytest

from helpers import models, training


def _accepted(callable_) -> set[str]:
    return set(inspect.signature(callable_).parameters)


def _drift(where: str, unknown: set[str]) -> str:
    return (
        f"DRIFT DETECTED: {where} no longer accepts {sorted(unknown)}. A library upgrade renamed "
        "or removed them; update helpers/ (and colab_setup.sh pins) before learners meet it."
    )


def test_bitsandbytes_config_accepts_our_arguments():
    from transformers import BitsAndBytesConfig

    unknown = set(models.quantization_kwargs()) - _accepted(BitsAndBytesConfig.__init__)
    assert not unknown, _drift("BitsAndBytesConfig", unknown)


def test_lora_config_accepts_our_arguments():
    from peft import LoraConfig

    unknown = set(training.lora_kwargs()) - _accepted(LoraConfig)
    assert not unknown, _drift("peft.LoraConfig", unknown)


def test_sft_config_accepts_our_arguments(tmp_path):
    from trl import SFTConfig

    kwargs = training.sft_kwargs(tmp_path, hub_repo="someone/pricer")
    unknown = set(kwargs) - _accepted(SFTConfig)
    assert not unknown, _drift("trl.SFTConfig", unknown)
    config = SFTConfig(**kwargs)  # and the values pass its own validation
    # A float warmup below 1 must still mean a fraction of the steps, not 0.03 steps.
    assert 0 < config.warmup_steps < 1
    # precision is ours, not SFTConfig's bf16 default
    assert (config.bf16, config.fp16) == (kwargs["bf16"], kwargs["fp16"])


@pytest.mark.parametrize("which", ["BitsAndBytesConfig", "LoraConfig", "SFTConfig"])
def test_our_arguments_raise_no_deprecation_warning(which, tmp_path):
    """Renamed arguments warn for a release or two before they go: fail while they only warn."""
    import warnings

    from peft import LoraConfig
    from transformers import BitsAndBytesConfig
    from trl import SFTConfig

    cls, kwargs = {
        "BitsAndBytesConfig": (BitsAndBytesConfig, models.quantization_kwargs()),
        "LoraConfig": (LoraConfig, training.lora_kwargs()),
        "SFTConfig": (SFTConfig, training.sft_kwargs(tmp_path)),
    }[which]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cls(**kwargs)
    deprecated = {
        name
        for w in caught
        if issubclass(w.category, (DeprecationWarning, FutureWarning))
        for name in kwargs
        if f"`{name}`" in str(w.message) or f"'{name}'" in str(w.message)
    }
    assert not deprecated, _drift(f"{which} (deprecated, still accepted)", deprecated)


def test_option_values_still_exist():
    from transformers.trainer_utils import HubStrategy, SchedulerType
    from transformers.training_args import OptimizerNames

    hp = training.Hyperparameters()
    assert hp.optimizer in {o.value for o in OptimizerNames}, _drift("optim", {hp.optimizer})
    assert hp.lr_scheduler_type in {s.value for s in SchedulerType}, _drift(
        "lr_scheduler_type", {hp.lr_scheduler_type}
    )
    assert "checkpoint" in {s.value for s in HubStrategy}, _drift("hub_strategy", {"checkpoint"})


def test_from_pretrained_accepts_our_arguments():
    """from_pretrained takes **kwargs, so its explicit parameters and its documented ones count."""
    from transformers import PreTrainedModel

    method = PreTrainedModel.from_pretrained
    documented = set(re.findall(r"^\s{0,12}(\w+) \(", inspect.getdoc(method), re.M))
    unknown = set(models.from_pretrained_kwargs()) - (_accepted(method) | documented)
    assert not unknown, _drift("PreTrainedModel.from_pretrained", unknown)
    assert "torch_dtype" not in models.from_pretrained_kwargs()
    assert "load_in_4bit" not in models.from_pretrained_kwargs()


def test_from_pretrained_arguments_take_effect():
    """The documented names are honoured: 4 bits and the asked dtype, on the stand-in model."""
    model = models.load_base_model()
    kwargs = models.from_pretrained_kwargs()
    assert model.is_loaded_in_4bit
    assert model.lm_head.weight.dtype == kwargs["dtype"]


@pytest.mark.parametrize(
    ("target", "names"),
    [
        (
            "trl.SFTTrainer.__init__",
            {"model", "args", "train_dataset", "processing_class", "peft_config", "callbacks"},
        ),
        ("peft.PeftModel.from_pretrained", {"model", "model_id"}),
        ("peft.get_peft_model", {"model", "peft_config"}),
    ],
)
def test_trainer_and_adapter_calls_accept_our_arguments(target, names):
    import importlib

    module, _, attribute = target.rpartition(".")
    try:
        owner = importlib.import_module(module)
        function = getattr(owner, attribute)
    except ModuleNotFoundError:  # a class path: module.Class.method
        module, _, cls = module.rpartition(".")
        function = getattr(getattr(importlib.import_module(module), cls), attribute)
    unknown = names - _accepted(function)
    assert not unknown, _drift(target, unknown)


def test_generate_and_tokenizer_arguments(llama_tokenizer):
    from transformers import GenerationConfig

    config = GenerationConfig(max_new_tokens=3, do_sample=False, pad_token_id=0)
    assert config.max_new_tokens == 3 and config.do_sample is False
    tokenizer = models.set_padding(llama_tokenizer, "right")
    batch = tokenizer(["a", "a longer text"], padding=True, padding_side="left")
    assert batch["attention_mask"][0][0] == 0, _drift("tokenizer __call__", {"padding_side"})
