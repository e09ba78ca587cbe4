"""Side-by-side benchmarks of ember and PyTorch (run with `python -m benchmarks.run`)."""
