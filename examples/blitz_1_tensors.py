"""60-minute blitz, part 1: tensors and the NumPy bridge, on ember.

The seed tutorial's code with only the import changed (`import ember as torch`); the notebook's
bare expressions are printed. Run: python examples/blitz_1_tensors.py
"""

import numpy as np

import ember as torch


def main():
    """Run the tutorial's tensor and NumPy-bridge snippets; return what they computed."""
    x = torch.Tensor(5, 3)  # an uninitialized 5x3 matrix
    x = torch.rand(5, 3)  # a randomly initialized matrix
    print(x)
    print(x.size())  # torch.Size is a tuple, so it supports tuple operations

    y = torch.rand(5, 3)
    print(x + y)  # syntax 1
    print(torch.add(x, y))  # syntax 2

    result = torch.Tensor(5, 3)
    torch.add(x, y, out=result)  # an output tensor as an argument
    print(result)
    y.add_(x)  # in place: y = y + x
    print(y)
    print(x[:, 1])  # NumPy-style slicing: the second column

    # NumPy bridge: a tensor and its NumPy array share memory
    a = torch.ones(5)
    b = a.numpy()
    a.add_(1)
    print(a)
    print(b)

    c = np.ones(5)
    d = torch.from_numpy(c)
    np.add(c, 1, out=c)
    print(c)
    print(d)

    if torch.cuda.is_available():
        x = x.cuda()
        y = y.cuda()
        print(x + y)
    return {"x": x, "y": y, "result": result, "a": a, "b": b, "c": c, "d": d}


if __name__ == "__main__":
    main()
