"""An in-process fake of the Kling video API (AceData Cloud), for tests and benchmarks.

The fake speaks the wire protocol described in ``/work/shared/kling-api.md`` and returns payloads
shaped like the samples in ``/work/shared/fixtures/kling/``, so the bot's real HTTP client can be
pointed at it (``KLING_API_BASE = fake.base_url``) and exercised end to end, including the awkward
cases the real platform produces rarely: rate limits, 5xx, dropped connections after a task was
created, lost / duplicated / late callbacks, failed tasks and huge result files.

Everything runs on the test's own event loop; every knob can be turned while the server runs.
The bearer token is never printed, logged or stored in recorded requests: test output is often
pasted into issues, and the bot's tests must not teach anybody to leak a real token.

The parts, composed by `server.FakeKling`:

- `knobs`: the dials tests turn. `runtime`: address, background tasks, closing.
- `tasks`: `FakeTask` and the task table (create, run, finish). `validation`: create checks.
- `callbacks`: result callbacks. `faults`: scripted failures and drops (``refuse_next``: the
  risk-control 403; a task failed by risk control is ``queue_outcome(False,
  RISK_CONTROL_MESSAGE)``, also the default ``failure_message``).
- `api`: ``/kling/videos`` and ``/kling/tasks``. `files`: the ``/cdn`` video files.
- `wire`: request records (token redacted), error bodies, dropped connections.
"""

from testkit.fakes.kling.callbacks import CallbackRecord
from testkit.fakes.kling.files import mp4_header
from testkit.fakes.kling.knobs import DEFAULT_FAILURE_MESSAGE, DEFAULT_MODELS
from testkit.fakes.kling.server import FakeKling
from testkit.fakes.kling.tasks import FakeTask, TaskState
from testkit.fakes.kling.validation import (
    ACTIONS,
    DURATIONS,
    NEGATIVE_PROMPT_MAX,
    PROMPT_MAX,
)
from testkit.fakes.kling.wire import (
    RISK_CONTROL_CODE,
    RISK_CONTROL_MESSAGE,
    Endpoint,
    RecordedRequest,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_FAILURE_MESSAGE",
    "DEFAULT_MODELS",
    "DURATIONS",
    "NEGATIVE_PROMPT_MAX",
    "PROMPT_MAX",
    "RISK_CONTROL_CODE",
    "RISK_CONTROL_MESSAGE",
    "CallbackRecord",
    "Endpoint",
    "FakeKling",
    "FakeTask",
    "RecordedRequest",
    "TaskState",
    "mp4_header",
]
