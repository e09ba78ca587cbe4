"""Model architectures (torchvision.models on ember) and a small registry to build them by name."""

from .lenet import LeNet, lenet

# name -> builder(num_classes=..., **kwargs); `ember train --model NAME` reads this table.
_MODELS = {
    "lenet": lenet,
}


def list_models():
    """Names accepted by get_model, sorted."""
    return sorted(_MODELS)


def get_model(name, **kwargs):
    """A new model built by the registered builder `name` (e.g. ``get_model("lenet")``).

    Raises:
        ValueError: `name` is not registered; the message lists the known names.
    """
    key = str(name).lower()
    if key not in _MODELS:
        raise ValueError(f"unknown model {name!r}; available models: {', '.join(list_models())}")
    return _MODELS[key](**kwargs)


__all__ = ["LeNet", "get_model", "lenet", "list_models"]
