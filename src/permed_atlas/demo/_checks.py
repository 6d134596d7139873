"""The argument checks the demo generators share."""

from __future__ import annotations

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message


def check_count_and_seed(n: int, seed: int, *, most: int) -> None:
    """Refuse a count outside 0 to ``most`` or a negative seed, naming the argument.

    :param n: how many records were asked for.
    :param seed: the generator's seed.
    :param most: the most one seed may generate (its records' serials stay apart).
    """
    if not 0 <= n <= most:
        raise InvalidInputError(
            Message(
                "n must be between 0 and %(most)s, not %(n)s",
                most=format(most, ","),
                n=n,
            ),
            field="n",
        )
    if seed < 0:
        raise InvalidInputError(
            Message("seed must be 0 or more, not %(seed)s", seed=seed), field="seed"
        )
