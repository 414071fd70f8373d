"""The base model: the stand-in from the Hub, 4-bit loading on CPU, padding, footprints, friendly errors."""


import pytest
import torch

from helpers import models
from helpers.inference import number_tokens


@pytest.fixture(scope="module")
def tiny_model():
    """The stand-in for Llama 3.1 8B, downloaded from the Hub stand-in and loaded in 4 bits."""
    return models.load_base_model()


def test_the_stand_in_has_llamas_shape_and_the_real_vocabulary(tiny_model, llama_tokenizer):
    config = tiny_model.config
    assert config.model_type == "llama"
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (64, 2, 4)
    assert config.vocab_size == 128_256 == llama_tokenizer.backend_tokenizer.get_vocab_size() - 1
    assert config.eos_token_id == llama_tokenizer.eos_token_id


def test_the_model_loads_quantized_through_bitsandbytes_on_cpu(tiny_model):
    import bitsandbytes as bnb

    attention = tiny_model.model.layers[0].self_attn
    assert isinstance(attention.q_proj, bnb.nn.Linear4bit)
    assert attention.q_proj.weight.quant_state.quant_type == "nf4"
    assert not isinstance(tiny_model.lm_head, bnb.nn.Linear4bit)  # output layer: full precision
    assert getattr(tiny_model, "is_loaded_in_4bit", False)
    full = models.load_base_model(quantize=False)
    assert models.memory_footprint(tiny_model) < models.memory_footprint(full)
    assert models.parameter_count(full.config) == full.num_parameters()


def test_number_rows_of_the_stand_ins_output_layer_vary_smoothly(tiny_model, llama_tokenizer):
    rows = tiny_model.lm_head.weight.float()
    vocabulary = llama_tokenizer.get_vocab()
    cosine = torch.nn.functional.cosine_similarity
    near = cosine(rows[vocabulary["49"]], rows[vocabulary["50"]], dim=0)
    far = cosine(rows[vocabulary["5"]], rows[vocabulary["500"]], dim=0)
    assert near > 0.9 and far < near - 0.5
    ids, _ = number_tokens(llama_tokenizer)
    assert len(ids) >= 999


def test_set_padding_uses_end_of_text_and_the_side_asked(llama_tokenizer):
    tokenizer = models.set_padding(llama_tokenizer, "left")
    assert tokenizer.pad_token == tokenizer.eos_token and tokenizer.padding_side == "left"
    batch = tokenizer(["Price is $", "a much longer prompt. Price is $"], padding=True)
    assert batch["input_ids"][0][0] == tokenizer.eos_token_id  # padded at the start
    models.set_padding(llama_tokenizer, "right")
    batch = tokenizer(["Price is $", "a much longer prompt. Price is $"], padding=True)
    assert batch["input_ids"][0][-1] == tokenizer.eos_token_id
    with pytest.raises(ValueError, match="left"):
        models.set_padding(llama_tokenizer, "middle")


def test_big_model_without_gpu_says_how_to_get_one(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    models.llama_config().save_pretrained(tmp_path)  # Llama 3.1 8B's config, no weights
    with pytest.raises(RuntimeError, match="Change runtime type") as error:
        models.load_base_model(str(tmp_path))
    assert "8.0 billion" in str(error.value)


def test_out_of_memory_is_reraised_with_what_to_lower():
    with pytest.raises(MemoryError, match="batch size"):
        with models.friendly_oom("training"):
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
    with pytest.raises(ValueError, match="unrelated"):
        with models.friendly_oom("training"):
            raise ValueError("unrelated")


def test_quantization_config_is_the_course_nf4_double_quantized():
    config = models.quantization_config(torch.float16)
    assert config.load_in_4bit and config.bnb_4bit_quant_type == "nf4"
    assert config.bnb_4bit_use_double_quant and config.bnb_4bit_compute_dtype == torch.float16
    if not torch.cuda.is_available():
        assert models.compute_dtype() == torch.float32


def test_footprints_of_llama_31_8b_from_its_config():
    config = models.llama_config()
    assert models.parameter_count(config) == 8_030_261_248  # Meta-Llama-3.1-8B's published size
    sizes = {f.precision: f.gigabytes for f in models.estimate_footprints(config)}
    assert sizes["fp32"] == pytest.approx(4 * 8.03, rel=0.01)
    assert sizes["bf16 / fp16"] == pytest.approx(2 * 8.03, rel=0.01)
    # 4-bit: linear layers at ~4.13 bits, 1.05 billion embedding/output weights kept in 16 bits.
    assert sizes["4-bit NF4, double quantized"] == pytest.approx(5.7, abs=0.1)
    assert sizes["fp32"] > sizes["bf16 / fp16"] > sizes["8-bit (LLM.int8)"] > sizes["4-bit NF4"]


@pytest.mark.parametrize(
    "modules", [("q_proj", "k_proj", "v_proj", "o_proj"), ("gate_proj", "up_proj", "down_proj")]
)
def test_the_lora_count_is_what_peft_trains(modules):
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    config = models.llama_config(  # Llama 3.1 8B's proportions (grouped KV heads), kept small
        hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=256, max_position_embeddings=64,
    )  # fmt: skip
    model = get_peft_model(LlamaForCausalLM(config), LoraConfig(r=8, target_modules=list(modules)))
    trained = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    assert models.lora_parameter_count(config, 8, modules) == trained
