"""``python -m channels.rasa_server run ...``: Rasa's own command line for the Policyline server.

The same arguments as ``rasa``; before Rasa starts, the action server's replies get a validator
built once (``channels.action_replies``). ``devtools.cli.rasa_command`` and the deployment files
start the Rasa server this way.
"""

from __future__ import annotations

from channels.action_replies import install


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
