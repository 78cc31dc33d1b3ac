"""How every Policyline process stops: one grace period, one stop timeout, the same signals.

A long-running process (PAS sandbox, localstripe, action server, Rasa server, web app, notifier)
that gets SIGTERM or SIGINT:

1. stops accepting work at once; a request that still reaches it gets HTTP 503 with
   ``Retry-After: RETRY_AFTER_S`` (retryable) rather than a half-done answer;
2. finishes what is in flight within ``SHUTDOWN_GRACE_S`` (SMS turns, HTTP requests, a notifier
   poll); SMS accepted but not answered by then stay in the inbound store and are answered by the
   next start (``channels/sms_inbox.py``);
3. flushes and closes what it holds (database pools, localstripe's state file) and exits.

Whoever stops it (``policyline run``'s supervisor, systemd ``TimeoutStopSec``, a container
runtime, a Procfile runner) waits ``STOP_TIMEOUT_S`` before SIGKILL: more than any process needs
(the Rasa server's worst case is its SMS drain plus Sanic's own grace for open connections).
``deploy/`` repeats these figures; ``tests/platform/test_deploy_stop_settings.py`` keeps them equal.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

SHUTDOWN_GRACE_S = 10.0
STOP_TIMEOUT_S = 30.0
RETRY_AFTER_S = 5

# What the supervisor forwards and what every server treats as "stop now, gracefully".
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

# Sanic (the Rasa server and rasa-sdk's action server) reads its grace for open connections from
# the environment when the app is created; it has no command-line option for it.
SANIC_GRACE_VARIABLE = "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT"

log = logging.getLogger("bot.lifecycle")


def sanic_shutdown_env() -> dict[str, str]:
    """The variables that give a Sanic server our grace period."""
    return {SANIC_GRACE_VARIABLE: f"{SHUTDOWN_GRACE_S:g}"}


def skip_final_collection() -> None:
    """Call when a server has finished its work and only closing is left: exit without the final
    garbage collection of what is alive now.

    The interpreter's last collection walks every object still alive; with the Rasa model loaded
    that took 8 s of a 10 s stop (measured), holding up the processes stopped after it. Freezing
    moves those objects out of the collector's reach (objects made later are still collected); the
    OS frees the memory at exit.
    """
    gc.freeze()


def ignore_repeated_stop_signals(loop: asyncio.AbstractEventLoop) -> None:
    """Once a server is stopping, let further stop signals change nothing.

    Several parties may each send SIGTERM (systemd's control-group kill, the supervisor, the
    parent-death signal); Sanic answers every one by stopping its loop, which would cut the SMS
    drain short. SIGKILL still stops at once. Only the main thread's loop can own signals; in an
    embedded server (tests) this does nothing.
    """

    def already_stopping(sig: signal.Signals) -> None:
        log.info("%s: already stopping (SIGKILL stops at once)", sig.name)

    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, already_stopping, sig)
        except (RuntimeError, ValueError, NotImplementedError):
            return
