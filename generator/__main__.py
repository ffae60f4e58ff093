"""`python -m generator` is the `postilla` command (the entry point is `run`)."""

import sys


def run() -> None:
    """The command, with Ctrl-C while it is still loading (MkDocs, Material, the model)
    ending quietly with status 130, as it does once it runs."""
    try:
        from .cli import main

        status = main()
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    run()
