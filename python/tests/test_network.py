"""small.Network against PyTorch in float64 on random layers (skipped with a
message when python3-torch is not installed)."""

import numpy as np
import pytest

import small

torch = pytest.importorskip(
    "torch", reason="python3-torch is not installed: Network vs PyTorch "
    "not checked")
F = torch.nn.functional
RNG = np.random.default_rng(18)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def t64(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def assert_close(got, want):
    want = want.numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4,
                               atol=1e-4 * max(1.0, np.abs(want).max()))


@pytest.mark.parametrize("cin,cout,k,stride,pad,dilation,groups", [
    (3, 8, 3, 1, 1, 1, 1), (4, 6, 5, 2, 2, 1, 2), (8, 8, 3, 1, 2, 2, 8),
    (5, 7, 1, 1, 0, 1, 1), (6, 12, 3, 2, 0, 1, 3)])
def test_conv2d_relu(cin, cout, k, stride, pad, dilation, groups):
    x, w, b = rand(2, cin, 11, 13), rand(cout, cin // groups, k, k), rand(cout)
    net = small.Network()
    net.output(net.conv2d(net.input(x.shape), w, b, stride=stride,
                          padding=pad, dilation=dilation, groups=groups,
                          activation="relu"))
    want = F.relu(F.conv2d(t64(x), t64(w), t64(b), stride, pad, dilation,
                           groups))
    assert_close(net.run(x), want)


def test_dense_pools_softmax_chain():
    x = rand(1, 6, 12, 12)
    w1, w2, b2 = rand(10, 6, 3, 3), rand(5, 10 * 3 * 3), rand(5)
    net = small.Network()
    t = net.conv2d(net.input(x.shape), w1, padding="same")
    t = net.max_pool2d(t, 2)
    t = net.avg_pool2d(t, 2)
    net.output(net.softmax(net.dense(t, w2, b2)))
    ref = F.conv2d(t64(x), t64(w1), padding=1)
    ref = F.avg_pool2d(F.max_pool2d(ref, 2), 2)
    ref = F.softmax(F.linear(ref.flatten(1), t64(w2), t64(b2)), dim=1)
    assert_close(net.run(x).reshape(1, 5), ref)


def test_add_concat_batchnorm_global_pool_two_outputs():
    x = rand(1, 4, 7, 7)
    wa, wb = rand(4, 4, 3, 3), rand(3, 4, 1, 1)
    gamma, beta, mean = rand(7), rand(7), rand(7)
    var = np.abs(rand(7)) + 0.5
    net = small.Network()
    i = net.input(x.shape)
    a = net.add(net.conv2d(i, wa, padding=1), i, activation="relu6")
    c = net.concat([a, net.conv2d(i, wb)])
    bn = net.batchnorm(c, gamma, beta, mean, var, epsilon=1e-3)
    net.output(net.activation(bn, "leaky_relu", alpha=0.1))
    net.output(net.global_avgpool(bn))
    got_act, got_pool = net.run(x)
    xt = t64(x)
    ref = torch.cat([torch.clamp(F.conv2d(xt, t64(wa), padding=1) + xt, 0, 6),
                     F.conv2d(xt, t64(wb))], dim=1)
    ref = F.batch_norm(ref, t64(mean), t64(var), t64(gamma), t64(beta),
                       eps=1e-3)
    assert_close(got_act, F.leaky_relu(ref, 0.1))
    assert_close(got_pool, ref.mean(dim=(2, 3), keepdim=True))
