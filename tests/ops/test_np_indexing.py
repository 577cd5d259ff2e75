# SPDX-License-Identifier: Apache-2.0
"""Basic indexing of MXNet 2.0 numpy arrays as Gluon 2.0 exports it (slice, then _npx_reshape
with the -3 code dropping each integer-indexed axis) against MXNet 2.0.0b1, for float32, int32
and bool tensors. Gluon 2.0 refuses to hybridize advanced indexing (x[idx], x[..., i],
x[:, None]); boolean-mask indexing exports _contrib_boolean_mask, whose output shape depends on
the data."""

from oracle.cases import Case, case, oracle_test

X = "x = data.as_np_ndarray()\n"


def i32(name, code, **inputs):
    return Case(
        name=name,
        code=code,
        inputs={k: tuple(v) for k, v in inputs.items()},
        dtypes={k: "int32" for k in inputs},
        low=-100,
        high=100,
    )


CASES2 = [
    case("index_column", X + "out = x[:, 0]", data=(3, 4)),
    case("index_row_negative", X + "out = x[-1]", data=(3, 4)),
    case("index_element", X + "out = x[1, 2]", data=(3, 4)),
    case("index_last_axis", X + "out = x[:, :, -1]", data=(2, 3, 4)),
    case("index_middle_axis", X + "out = x[:, 1]", data=(2, 3, 4)),
    case("index_then_slice", X + "out = x[0, 1:3]", data=(3, 4)),
    case("index_cls_token", X + "out = x[:, 0, :]", data=(2, 5, 8)),
    case("index_step_and_int", X + "out = x[::2, 1]", data=(5, 3)),
    i32("index_int32", X + "out = x[:, 1]", data=(3, 4)),
    case("index_bool", X + "out = (x > 0)[1]", data=(3, 4)),
]

test_np_indexing_mx2 = oracle_test(CASES2, version="2.0.0b1")
