"""Data that ships with installed packages, so the book builds with no network.

* :func:`digits`: scikit-learn's 1,797 real 8x8 handwritten digits, split and scaled.
* :func:`sample_image`: scikit-learn's two real photographs (``china.jpg``, ``flower.jpg``).
"""

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Split:
    """Images (N, 1, 8, 8) with pixel values scaled to [0, 1], and integer labels (N,)."""

    x: torch.Tensor
    y: torch.Tensor

    @property
    def flat(self) -> torch.Tensor:
        """The images flattened to (N, 64), the input an MLP expects."""
        return self.x.flatten(1)

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Digits:
    train: Split
    val: Split
    test: Split


def digits(val: float = 0.15, test: float = 0.15, seed: int = 0) -> Digits:
    """Load scikit-learn's digits and split them into train / validation / test.

    The split is stratified by class and fixed by ``seed``. Pixels (0 to 16 in the raw
    data) are divided by 16, so every image lies in [0, 1].
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    raw = load_digits()
    x = torch.tensor(raw.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(raw.target, dtype=torch.long)
    idx = np.arange(len(y))
    rest, test_idx = train_test_split(idx, test_size=test, stratify=raw.target, random_state=seed)
    train_idx, val_idx = train_test_split(
        rest, test_size=val / (1 - test), stratify=raw.target[rest], random_state=seed
    )
    pick = lambda i: Split(x[i], y[i])  # noqa: E731
    return Digits(train=pick(train_idx), val=pick(val_idx), test=pick(test_idx))


def sample_image(name: str = "china.jpg", gray: bool = False) -> torch.Tensor:
    """A real photograph from scikit-learn as a float tensor in [0, 1].

    Returns (3, H, W), or (1, H, W) when ``gray`` (ITU-R 601 luma weights).
    """
    from sklearn.datasets import load_sample_image

    img = torch.tensor(load_sample_image(name), dtype=torch.float32).permute(2, 0, 1) / 255.0
    if gray:
        weights = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)
        img = (img * weights).sum(0, keepdim=True)
    return img
