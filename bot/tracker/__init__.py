"""How results arrive: the callback receiver (fast, can be lost) and the reconciliation poller
(slow, certain). Both hand results to the job life's `Results`, whose compare-and-set makes the
second arrival a no-op."""

from bot.tracker.callbacks import MAX_CALLBACK_BYTES, CallbackOutcome, CallbackReceiver
from bot.tracker.poller import Poller, PollerStats

__all__ = ["MAX_CALLBACK_BYTES", "CallbackOutcome", "CallbackReceiver", "Poller",
           "PollerStats"]
