"""ember's top-level namespace: PyTorch's public names, and none of ember's internals."""

import types

import ember


def test_linalg_and_special_are_the_public_modules():
    assert ember.linalg.__name__ == "ember.linalg" and callable(ember.linalg.inv)
    assert callable(ember.special.erf)


def test_op_families_and_helpers_do_not_leak_into_ember():
    for name in ("arithmetic", "unary", "compare", "reduce", "shape", "index", "inplace",
                 "convert", "binary", "binary_inplace", "bind_tensor_methods", "Add", "Mul"):
        assert not hasattr(ember, name), name


def test_torch_top_level_functions_exist():
    for name in ("conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool1d",
                 "add", "matmul", "softmax", "inverse", "set_num_threads", "save", "load"):
        assert callable(getattr(ember, name)), name
    modules = {n for n in dir(ember) if isinstance(getattr(ember, n), types.ModuleType)}
    assert {"nn", "optim", "autograd", "cuda", "utils", "linalg"} <= modules
