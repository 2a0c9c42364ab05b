#!/usr/bin/env python3
"""Writes the ONNX models the importer's tests read (with Debian's python3-onnx).

  onnx_fixtures.py OUT_DIR

resnet50.onnx and bert-base.onnx are the zoo's ResNet-50 and BERT-base written the way
exporters write them: torchvision's graph with BatchNormalization after every Conv (opset 11),
and Hugging Face's BERT at opset 13 with the shape arithmetic of a dynamic-axes export (Shape,
Gather, Unsqueeze, Concat feeding Reshape), the attention mask arithmetic, layer normalisation
written out (ReduceMean, Sub, Pow, Sqrt, Div) and the Erf form of GELU. Their inputs have dynamic
batch (and sequence) dimensions. The weights are initializers stored as external data in a
file that is never written: npusim needs only their shapes.

The other files are bad models for the command-line tests: truncated, corrupt, an unsupported
opset, a cycle, an unbound dynamic input dimension, an impossible attribute.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, name, weights_file):
        self.name = name
        self.nodes = []
        self.inits = []
        self.weights_file = weights_file
        self.offset = 0
        self.count = 0

    def uid(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def weight(self, name, dims):
        """A float initializer stored in an external file that does not exist."""
        t = TensorProto()
        t.name = name
        t.data_type = TensorProto.FLOAT
        t.dims.extend(dims)
        t.data_location = TensorProto.EXTERNAL
        length = 4 * int(np.prod(dims))
        for k, v in (("location", self.weights_file), ("offset", str(self.offset)), ("length", str(length))):
            e = t.external_data.add()
            e.key, e.value = k, v
        self.offset += length
        self.inits.append(t)
        return name

    def const(self, value, dtype=np.float32):
        """A small constant as a Constant node (exporters emit these for scalars and shapes)."""
        name = self.uid("const")
        self.nodes.append(helper.make_node("Constant", [], [name], name=name,
                                           value=numpy_helper.from_array(np.array(value, dtype=dtype))))
        return name

    def node(self, op, inputs, name=None, outputs=1, **attrs):
        name = name or self.uid(op.lower())
        outs = [name] if outputs == 1 else [f"{name}:{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs

    def model(self, inputs, outputs, opset):
        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, initializer=self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="npusim-tests")
        m.ir_version = 7
        return m


# ---------------------------------------------------------------- ResNet-50 (torchvision)

def resnet50():
    b = Builder("resnet50", "resnet50.weights")

    def conv_bn(name, x, cin, cout, k, stride, pad, relu=True):
        w = b.weight(name + ".weight", [cout, cin, k, k])
        y = b.node("Conv", [x, w], name=name, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4,
                   dilations=[1, 1], group=1)
        bn = name.replace("conv", "bn") if "conv" in name else name + ".bn"
        params = [b.weight(f"{bn}.{p}", [cout]) for p in ("weight", "bias", "running_mean", "running_var")]
        y = b.node("BatchNormalization", [y] + params, name=bn, epsilon=1e-5, momentum=0.9)
        return b.node("Relu", [y], name=name + ".relu") if relu else y

    x = conv_bn("conv1", "input", 3, 64, 7, 2, 3)
    x = b.node("MaxPool", [x], name="maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for s, (blocks, width, stride) in enumerate([(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2)]):
        for i in range(blocks):
            p = f"layer{s + 1}.{i}"
            st = stride if i == 0 else 1
            y = conv_bn(p + ".conv1", x, cin, width, 1, 1, 0)
            y = conv_bn(p + ".conv2", y, width, width, 3, st, 1)
            y = conv_bn(p + ".conv3", y, width, width * 4, 1, 1, 0, relu=False)
            identity = conv_bn(p + ".downsample.0", x, cin, width * 4, 1, st, 0, relu=False) if i == 0 else x
            y = b.node("Add", [y, identity], name=p + ".add")
            x = b.node("Relu", [y], name=p + ".relu")
            cin = width * 4
    x = b.node("GlobalAveragePool", [x], name="avgpool")
    x = b.node("Flatten", [x], name="flatten", axis=1)
    x = b.node("Gemm", [x, b.weight("fc.weight", [1000, 2048]), b.weight("fc.bias", [1000])], name="fc",
               alpha=1.0, beta=1.0, transB=1)
    b.nodes[-1].output[0] = "logits"
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 3, 224, 224])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 1000])
    return b.model([inp], [out], 11)


# ---------------------------------------------------------------- BERT-base (Hugging Face)

def bert_base():
    b = Builder("bert-base", "bert-base.weights")
    H, heads, D, ffn, layers = 768, 12, 64, 3072, 12
    i64 = np.int64

    def dim(x, k):  # Shape -> Gather(k) -> Unsqueeze: a dynamic size as a [1] tensor
        s = b.node("Shape", [x])
        g = b.node("Gather", [s, b.const(k, i64)], axis=0)
        return b.node("Unsqueeze", [g, b.const([0], i64)])

    def linear(name, x, cin, cout):
        y = b.node("MatMul", [x, b.weight(name + ".weight", [cin, cout])], name=name)
        return b.node("Add", [y, b.weight(name + ".bias", [cout])], name=name + ".add_bias")

    def layer_norm(name, x):  # written out, as opset < 17 exports
        mean = b.node("ReduceMean", [x], axes=[-1], keepdims=1)
        d = b.node("Sub", [x, mean])
        var = b.node("ReduceMean", [b.node("Pow", [d, b.const(2.0)])], axes=[-1], keepdims=1)
        std = b.node("Sqrt", [b.node("Add", [var, b.const(1e-12)])])
        y = b.node("Div", [d, std])
        y = b.node("Mul", [y, b.weight(name + ".weight", [H])])
        return b.node("Add", [y, b.weight(name + ".bias", [H])], name=name)

    def gelu(x):  # x * 0.5 * (1 + erf(x / sqrt(2)))
        e = b.node("Erf", [b.node("Div", [x, b.const(1.4142135381698608)])])
        y = b.node("Mul", [x, b.node("Add", [e, b.const(1.0)])])
        return b.node("Mul", [y, b.const(0.5)])

    def heads_of(x, batch, seq, perm):
        shape = b.node("Concat", [batch, seq, b.const([heads], i64), b.const([D], i64)], axis=0)
        return b.node("Transpose", [b.node("Reshape", [x, shape])], perm=perm)

    ids, types, mask = "input_ids", "token_type_ids", "attention_mask"
    batch, seq = dim(ids, 0), dim(ids, 1)
    # position ids: the registered buffer [1, 512] sliced to the sequence length
    pos_buf = "embeddings.position_ids"
    b.inits.append(numpy_helper.from_array(np.arange(512, dtype=i64).reshape(1, 512), pos_buf))
    pos = b.node("Slice", [pos_buf, b.const([0], i64), seq, b.const([1], i64), b.const([1], i64)])
    x = b.node("Gather", [b.weight("embeddings.word_embeddings.weight", [30522, H]), ids], name="embed.tokens")
    t = b.node("Gather", [b.weight("embeddings.token_type_embeddings.weight", [2, H]), types], name="embed.types")
    p = b.node("Gather", [b.weight("embeddings.position_embeddings.weight", [512, H]), pos], name="embed.positions")
    x = b.node("Add", [b.node("Add", [x, t]), p])
    x = layer_norm("embeddings.LayerNorm", x)
    # extended attention mask: (1 - mask[:, None, None, :]) * -10000
    m = b.node("Unsqueeze", [b.node("Unsqueeze", [mask, b.const([1], i64)]), b.const([2], i64)])
    m = b.node("Cast", [m], to=TensorProto.FLOAT)
    m = b.node("Mul", [b.node("Sub", [b.const(1.0), m]), b.const(-10000.0)])
    for i in range(layers):
        L = f"encoder.layer.{i}"
        q = heads_of(linear(L + ".attention.self.query", x, H, H), batch, seq, [0, 2, 1, 3])
        k = heads_of(linear(L + ".attention.self.key", x, H, H), batch, seq, [0, 2, 3, 1])
        v = heads_of(linear(L + ".attention.self.value", x, H, H), batch, seq, [0, 2, 1, 3])
        s = b.node("MatMul", [q, k], name=L + ".attention.scores")
        s = b.node("Add", [b.node("Div", [s, b.const(8.0)]), m])
        s = b.node("Softmax", [s], axis=-1)
        c = b.node("MatMul", [s, v], name=L + ".attention.context")
        c = b.node("Transpose", [c], perm=[0, 2, 1, 3])
        c = b.node("Reshape", [c, b.node("Concat", [batch, seq, b.const([H], i64)], axis=0)])
        a = linear(L + ".attention.output.dense", c, H, H)
        x = layer_norm(L + ".attention.output.LayerNorm", b.node("Add", [a, x]))
        h = gelu(linear(L + ".intermediate.dense", x, H, ffn))
        h = linear(L + ".output.dense", h, ffn, H)
        x = layer_norm(L + ".output.LayerNorm", b.node("Add", [h, x]))
    b.nodes[-1].output[0] = "last_hidden_state"
    x = "last_hidden_state"
    cls = b.node("Gather", [x, b.const(0, i64)], axis=1, name="pooler.cls")
    pooled = b.node("Tanh", [linear("pooler.dense", cls, H, H)])
    b.nodes[-1].output[0] = "pooler_output"
    dims = ["batch", "sequence"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in (ids, types, mask)]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [H]),
               helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["batch", H])]
    return b.model(inputs, outputs, 13)


# ---------------------------------------------------------------- bad models

def small_conv(opset=13, strides=(1, 1), dims=(1, 3, 8, 8)):
    b = Builder("small", "small.weights")
    y = b.node("Conv", ["x", b.weight("w", [4, 3, 3, 3])], name="conv", kernel_shape=[3, 3], strides=list(strides),
               pads=[1, 1, 1, 1])
    b.nodes[-1].output[0] = "y"
    inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(dims))
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    return b.model([inp], [out], opset)


def unmapped():
    """A convolution followed by ops npusim has no model for (LeakyRelu twice, Neg)."""
    b = Builder("unmapped", "unmapped.weights")
    y = b.node("Conv", ["x", b.weight("w", [8, 3, 3, 3])], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    y = b.node("LeakyRelu", [y], name="leaky1", alpha=0.1)
    y = b.node("LeakyRelu", [y], name="leaky2", alpha=0.1)
    b.node("Neg", [y], name="neg")
    b.nodes[-1].output[0] = "y"
    inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    return b.model([inp], [out], 13)


def cycle():
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="first"),
             helper.make_node("Add", ["a", "x"], ["b"], name="second")]
    g = helper.make_graph(nodes, "cycle", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 4])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def save(model, name):
        with open(os.path.join(out, name), "wb") as f:
            f.write(model.SerializeToString())

    r = resnet50()
    save(r, "resnet50.onnx")
    save(bert_base(), "bert-base.onnx")
    data = r.SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out, "corrupt.onnx"), "wb") as f:
        f.write(bytes((i * 37 + 11) % 256 for i in range(4096)))
    save(small_conv(opset=5), "opset5.onnx")
    save(cycle(), "cycle.onnx")
    save(small_conv(dims=("N", 3, "height", 8)), "dynamic.onnx")
    save(small_conv(strides=(0, 1)), "bad_attr.onnx")
    save(small_conv(), "small.onnx")
    save(unmapped(), "unmapped.onnx")


if __name__ == "__main__":
    main()
