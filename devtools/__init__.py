"""Development tools: the ``policyline`` command, the local stack, simulators, localstripe.

- ``cli``: the ``policyline`` console script. Its product commands (``db``, ``notifier``,
  ``staff``, ``alerts``, ``autopay``, ``outcomes``, ``document``) only parse arguments and call
  their modules in ``bot/``, so deployments use it too (systemd units, the Procfile); the rest
  (``run``, ``status``, ``sandbox``, ``personas``, ``sms``, ``call``, ``localstripe``, and
  ``rasa``/``actions``/``web`` with local defaults) are for development.
- ``stack_commands``, ``supervisor``, ``port_check``, ``stack_state``: ``policyline run`` and
  ``policyline status`` (start, watch and stop the local stack). How each process stops
  gracefully is product code every process uses: ``bot/lifecycle.py``.
- ``sandbox``: launches the PAS sandbox (``pas_sandbox``, which imports nothing of the product)
  with Policyline's settings.
- ``simulators``: a terminal phone (``policyline sms``) and caller (``policyline call``).
- ``localstripe_server``: localstripe, the local Stripe stand-in, with our patches. localstripe
  is a development extra (``pip install .[dev]``; ``make run`` and ``make test`` install it).

Nothing in the product (``bot``, ``channels``, ``actions``, ``pas_connector``) imports this
package.
"""
