# SPDX-License-Identifier: Apache-2.0
"""Runs in the oracle environment (tests/ops/test_quantized.py prepends it to its cases' code):
writes _sg_mkldnn_conv and _sg_mkldnn_fully_connected nodes, with their nested subgraphs, the way
MXNet 1.9.1's quantization flow does, reading a quantize_v2 output `q` or, for float32 nodes
(no 'quantized' attribute, as for layers excluded from quantization), a float32 symbol."""

import json

import mxnet as mx


def conv_node(
    attrs, with_bn, act, with_sum, postsum, num_filter, kernel, pad, stride, group, no_bias, cin
):
    sub = [{"op": "null", "name": "d", "inputs": []}, {"op": "null", "name": "w", "inputs": []}]
    ins = [[0, 0, 0], [1, 0, 0]]
    if not no_bias:
        sub.append({"op": "null", "name": "b", "inputs": []})
        ins.append([2, 0, 0])
    sub.append(
        {
            "op": "Convolution",
            "name": "conv",
            "attrs": {
                "kernel": kernel,
                "pad": pad,
                "stride": stride,
                "num_filter": str(num_filter),
                "num_group": str(group),
                "no_bias": str(no_bias),
            },
            "inputs": ins,
        }
    )
    last = len(sub) - 1
    if with_bn:
        first = len(sub)
        for n in ("g", "be", "m", "v"):
            sub.append({"op": "null", "name": n, "inputs": []})
        sub.append(
            {
                "op": "BatchNorm",
                "name": "bn",
                "attrs": {"eps": "0.001", "fix_gamma": "False"},
                "inputs": [[last, 0, 0]] + [[first + k, 0, 0] for k in range(4)],
            }
        )
        last = len(sub) - 1
    if act:
        sub.append(act(last))
        last = len(sub) - 1
    if with_sum:
        sub.append({"op": "null", "name": "s", "inputs": []})
        sub.append(
            {"op": "elemwise_add", "name": "add", "inputs": [[last, 0, 0], [len(sub) - 1, 0, 0]]}
        )
        last = len(sub) - 1
    if postsum:
        sub.append(
            {
                "op": "Activation",
                "name": "post",
                "attrs": {"act_type": "relu"},
                "inputs": [[last, 0, 0]],
            }
        )
        last = len(sub) - 1
    return {
        "attrs": attrs,
        "subgraphs": [
            {
                "nodes": sub,
                "arg_nodes": [i for i, n in enumerate(sub) if n["op"] == "null"],
                "heads": [[last, 0, 0]],
            }
        ],
    }


def relu(i):
    return {"op": "Activation", "name": "act", "attrs": {"act_type": "relu"}, "inputs": [[i, 0, 0]]}


def relu6(i):
    return {
        "op": "clip",
        "name": "act",
        "attrs": {"a_min": "0", "a_max": "6"},
        "inputs": [[i, 0, 0]],
    }


def sg_conv(
    q,
    name,
    attrs,
    with_bn=False,
    act=None,
    with_sum=None,
    postsum=False,
    num_filter=8,
    kernel="(3, 3)",
    pad="(1, 1)",
    stride="(1, 1)",
    group=1,
    no_bias=False,
    cin=4,
):
    node = conv_node(
        attrs,
        with_bn,
        act,
        with_sum is not None,
        postsum,
        num_filter,
        kernel,
        pad,
        stride,
        group,
        no_bias,
        cin,
    )
    quantized = attrs.get("quantized", "false").lower() == "true"
    w = mx.sym.var(name + "_weight")
    ins = [q[0] if quantized else q, w]
    if not no_bias:
        ins.append(mx.sym.var(name + "_bias"))
    if with_bn:
        ins += [
            mx.sym.var(name + "_gamma"),
            mx.sym.var(name + "_beta"),
            mx.sym.var(name + "_running_mean"),
            mx.sym.var(name + "_running_var"),
        ]
    if with_sum is not None:
        ins.append(with_sum[0] if quantized else with_sum)
    if quantized:
        ins += [q[1], q[2]]
    if quantized and with_sum is not None:
        ins += [with_sum[1], with_sum[2]]
    group_sym = mx.sym.Group(ins)
    js = json.loads(group_sym.tojson())
    heads = js["heads"]
    js["nodes"].append(
        {
            "op": "_sg_mkldnn_conv",
            "name": name,
            "attrs": node["attrs"],
            "inputs": heads,
            "subgraphs": node["subgraphs"],
        }
    )
    n = len(js["nodes"]) - 1
    js["heads"] = [[n, k, 0] for k in range(3 if quantized else 1)]
    js["arg_nodes"] = [i for i, x in enumerate(js["nodes"]) if x["op"] == "null"]
    js.pop("node_row_ptr", None)
    return mx.sym.load_json(json.dumps(js))


def sg_fc(q, name, attrs, num_hidden=6, act=None):
    sub = [
        {"op": "null", "name": "d", "inputs": []},
        {"op": "null", "name": "w", "inputs": []},
        {"op": "null", "name": "b", "inputs": []},
        {
            "op": "FullyConnected",
            "name": "fc",
            "attrs": {"num_hidden": str(num_hidden)},
            "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]],
        },
    ]
    if act:
        sub.append(
            {"op": "Activation", "name": "act", "attrs": {"act_type": act}, "inputs": [[3, 0, 0]]}
        )

    def v(n):
        return mx.sym.var(name + "_" + n)

    quantized = attrs.get("quantized", "False").lower() == "true"
    if quantized:
        ins = [
            q[0],
            v("weight"),
            v("bias"),
            q[1],
            q[2],
            v("weight_min"),
            v("weight_max"),
            v("bias_min"),
            v("bias_max"),
        ]
    else:
        ins = [q, v("weight"), v("bias")]
    js = json.loads(mx.sym.Group(ins).tojson())
    js["nodes"].append(
        {
            "op": "_sg_mkldnn_fully_connected",
            "name": name,
            "attrs": attrs,
            "inputs": js["heads"],
            "subgraphs": [{"nodes": sub, "arg_nodes": [0, 1, 2], "heads": [[len(sub) - 1, 0, 0]]}],
        }
    )
    n = len(js["nodes"]) - 1
    outs = 3 if quantized and attrs.get("enable_float_output") != "True" else 1
    js["heads"] = [[n, k, 0] for k in range(outs)]
    js["arg_nodes"] = [i for i, x in enumerate(js["nodes"]) if x["op"] == "null"]
    js.pop("node_row_ptr", None)
    return mx.sym.load_json(json.dumps(js))
