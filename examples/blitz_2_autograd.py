"""60-minute blitz, part 2: autograd, on ember.

The seed tutorial's code with only the imports changed (`import ember as torch`,
`from ember.autograd import Variable`); the notebook's bare expressions are printed.
Run: python examples/blitz_2_autograd.py
"""

import ember as torch
from ember.autograd import Variable


def main():
    """Run the tutorial's autograd snippets; return what they computed."""
    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x + 2
    print(y.creator)  # y was created by an operation, so it has a creator

    z = y * y * 3
    out = z.mean()
    out.backward()  # the same as out.backward(torch.Tensor([1.0]))
    print(x.grad)  # d(out)/dx: a matrix of 4.5

    first_grad = x.grad

    x = torch.randn(3)
    x = Variable(x, requires_grad=True)
    y = x * 2
    steps = 1
    while y.data.norm() < 1000:
        y = y * 2
        steps += 1
    gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
    y.backward(gradients)
    print(x.grad)
    return {"grad_4_5": first_grad, "x": x, "y": y, "grad": x.grad, "doublings": steps,
            "gradients": gradients}


if __name__ == "__main__":
    main()
