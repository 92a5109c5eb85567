"""``python -m village_stats.cli``: the ``village-stats`` command without its console script (a checkout
without an installed environment; ``tests/test_cli.py`` falls back to it)."""

if __name__ == "__main__":
    from village_stats.cli import entry_point

    entry_point()
