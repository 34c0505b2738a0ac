"""The model zoo of tools/zoo.py: what each model is, its inputs, its dynamic dims, its cases.

Every model is built with random weights (seeded; nothing is downloaded): torchvision with
weights=None, transformers from a small config that keeps the architecture (2 layers), torch.nn
directly. Each entry knows how to make inputs for a (batch, seq) pair, which dims are dynamic at
export, and the two sample cases tools/zoo.py run writes (case0 batch 1, case1 a larger batch; the
sequence models also change the sequence length between the cases).
"""

import torch

IMAGE = 224            # vit_b_16 and swin_t need 224x224
EXPORT_BATCH = 2       # the batch the exporter traces with
EXPORT_SEQ = 16        # the sequence length the exporter traces with
BATCH_MAX = 32
SEQ_MAX = 128
VOCAB = 8192           # GPT-2 / BERT vocabulary (smaller than the real 50257/30522; same layers)

TORCHVISION = [
    "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
    "squeezenet1_1", "shufflenet_v2_x1_0", "densenet121", "vgg11_bn", "convnext_tiny",
    "regnet_y_400mf", "vit_b_16", "swin_t",
]


class ZooModel:
    """name; build() -> eval module; inputs(batch, seq, gen) -> tuple; dynamic(batch, seq) ->
    dynamic_shapes tuple; cases: [(batch, seq)]; needs: the Python package it needs beyond torch."""

    def __init__(self, name, build, inputs, dynamic, cases, needs=None, note=""):
        self.name, self.build, self.inputs, self.dynamic = name, build, inputs, dynamic
        self.cases, self.needs, self.note = cases, needs, note
        self.has_seq = any(s is not None for _, s in cases)


def _torchvision(name):
    def build():
        import torchvision
        return getattr(torchvision.models, name)(weights=None)
    return build


def _image(batch, seq, gen):
    return (torch.randn(batch, 3, IMAGE, IMAGE, generator=gen),)


def _image_dynamic(batch, seq):
    return ({0: batch},)


# ---------------------------------------------------------------------------------------------
# torch.nn.TransformerEncoder with a key padding mask
# ---------------------------------------------------------------------------------------------

D_MODEL = 256


class Encoder(torch.nn.Module):
    """2-layer nn.TransformerEncoder, d_model 256, 4 heads, batch_first, src_key_padding_mask
    (True = padding). enable_nested_tensor=False: with it, eager under no_grad takes the nested
    tensor fast path that writes zeros at padded positions, which the exported graph (traced with
    grad enabled, the slow path) does not; without it both paths agree everywhere."""

    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(D_MODEL, 4, dim_feedforward=512, dropout=0.0,
                                                 batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x, src_key_padding_mask):
        return self.encoder(x, src_key_padding_mask=src_key_padding_mask)


def _padding_lengths(batch, seq):
    # row b keeps seq - (b % 3) positions: some rows padded, never a fully padded row
    return [max(1, seq - (b % 3)) for b in range(batch)]


def _encoder_inputs(batch, seq, gen):
    x = torch.randn(batch, seq, D_MODEL, generator=gen)
    mask = torch.zeros(batch, seq, dtype=torch.bool)
    for b, n in enumerate(_padding_lengths(batch, seq)):
        mask[b, n:] = True
    return (x, mask)


def _seq_dynamic(n_inputs):
    def dynamic(batch, seq):
        return tuple({0: batch, 1: seq} for _ in range(n_inputs))
    return dynamic


# ---------------------------------------------------------------------------------------------
# transformers: GPT-2 and BERT
# ---------------------------------------------------------------------------------------------

class GPT2Logits(torch.nn.Module):
    """GPT2LMHeadModel (causal, tied LM head), input_ids -> logits, no KV cache."""

    def __init__(self):
        super().__init__()
        from transformers import GPT2Config, GPT2LMHeadModel
        config = GPT2Config(n_layer=2, n_embd=256, n_head=4, n_positions=SEQ_MAX, vocab_size=VOCAB,
                            resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                            tie_word_embeddings=True, use_cache=False,
                            bos_token_id=VOCAB - 1, eos_token_id=VOCAB - 1)
        self.model = GPT2LMHeadModel(config)
        self.attn_implementation = getattr(config, "_attn_implementation", None)

    def forward(self, input_ids):
        return self.model(input_ids=input_ids, use_cache=False).logits


class BertEncoder(torch.nn.Module):
    """BertModel (2 layers), input_ids + attention_mask -> last_hidden_state, pooler_output."""

    def __init__(self):
        super().__init__()
        from transformers import BertConfig, BertModel
        config = BertConfig(num_hidden_layers=2, hidden_size=256, num_attention_heads=4,
                            intermediate_size=1024, vocab_size=VOCAB,
                            max_position_embeddings=SEQ_MAX, hidden_dropout_prob=0.0,
                            attention_probs_dropout_prob=0.0)
        self.model = BertModel(config)
        self.attn_implementation = getattr(config, "_attn_implementation", None)

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask)
        return out.last_hidden_state, out.pooler_output


def _ids(batch, seq, gen):
    return torch.randint(0, VOCAB, (batch, seq), generator=gen, dtype=torch.int64)


def _gpt2_inputs(batch, seq, gen):
    return (_ids(batch, seq, gen),)


def _bert_inputs(batch, seq, gen):
    mask = torch.zeros(batch, seq, dtype=torch.int64)
    for b, n in enumerate(_padding_lengths(batch, seq)):
        mask[b, :n] = 1
    return (_ids(batch, seq, gen), mask)


# ---------------------------------------------------------------------------------------------

def _zoo():
    models = []
    for name in TORCHVISION:
        models.append(ZooModel(name, _torchvision(name), _image, _image_dynamic,
                               [(1, None), (4, None)], needs="torchvision"))
    models.append(ZooModel("transformer_encoder", Encoder, _encoder_inputs, _seq_dynamic(2),
                           [(1, 7), (3, 33)],
                           note="nn.TransformerEncoder 2 layers, d_model 256, 4 heads, "
                                "batch_first, src_key_padding_mask, enable_nested_tensor=False"))
    models.append(ZooModel("gpt2", GPT2Logits, _gpt2_inputs, _seq_dynamic(1),
                           [(1, 5), (3, 40)], needs="transformers",
                           note=f"GPT2LMHeadModel n_layer 2, n_embd 256, 4 heads, vocab {VOCAB}, "
                                "tied head, no cache; output logits"))
    models.append(ZooModel("bert", BertEncoder, _bert_inputs, _seq_dynamic(2),
                           [(1, 6), (3, 37)], needs="transformers",
                           note=f"BertModel 2 layers, hidden 256, 4 heads, vocab {VOCAB}; "
                                "outputs last_hidden_state, pooler_output"))
    return models


# Models outside the zoo built from the same families of layers: they must compile and match with
# no new work (issue 3's check that the ops are general, not fitted to the zoo's list). Run with
# `zoo.py run --models <name>`; `zoo.py list --outside` names them; CTest label zoo-outside.
OUTSIDE_TORCHVISION = [
    "resnet34", "mobilenet_v3_large", "mnasnet0_5", "regnet_x_400mf", "resnext50_32x4d",
    "googlenet", "efficientnet_b1",
]

ZOO = _zoo()
OUTSIDE = [ZooModel(name, _torchvision(name), _image, _image_dynamic, [(1, None), (4, None)],
                    needs="torchvision") for name in OUTSIDE_TORCHVISION]
BY_NAME = {m.name: m for m in ZOO + OUTSIDE}
