"""/metrics in the Prometheus text format, for the operator's monitoring (PORTAL_METRICS_TOKEN:
without it the page does not exist; with it a scraper sends `Authorization: Bearer <token>`).

Two kinds of figure. Request counts and latency are counted in each web process; under
gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory per start) and use
`gunicorn -c python:portal.web.gunicorn_conf`, so every worker's counts add up. The rest
(outbox, queues, scheduler, promises) is read from the database and Redis at scrape time, so
any web server answers the same."""

from __future__ import annotations

import hmac
import os
import time
from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from portal import transaction
from portal.extensions import DEFAULT, MESSAGES, get_redis, queue_name
from portal.models import utcnow
from portal.services import promises

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("portal_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _answered(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        endpoint = request.endpoint or "unmatched"  # never the raw path: ids would explode the labels
        key = (endpoint, request.method, response.status_code)
        found = _SERIES.get(key)
        if found is None:
            found = _series(key)
        found[0].inc()
        found[1].observe(time.perf_counter() - started)
    return response


# The counter and histogram of each (endpoint, method, status), looked up once: prometheus_client
# checks and joins the label values under a lock on every `labels()` call (~10 us a request for
# the two). The children stay valid: Portal never removes a labelled series.
_SERIES: dict[tuple[str, str, int], tuple] = {}


def _series(key: tuple[str, str, int]) -> tuple:
    endpoint, method, status = key
    found = (REQUESTS.labels(endpoint, method, str(status)), LATENCY.labels(endpoint))
    if len(_SERIES) >= 4096:  # endpoints x methods x statuses is bounded; a bound of safety only
        _SERIES.clear()
    _SERIES[key] = found
    return found


class SystemCollector:
    """Figures read at scrape time; a part that cannot be read is reported as such (`_up` 0)."""

    def collect(self):
        now = utcnow()
        up = GaugeMetricFamily("portal_metrics_source_up", "Whether a source of figures answered", labels=["source"])
        try:
            yield from self._database(now)
            up.add_metric(["database"], 1)
        except Exception:  # noqa: BLE001 - a scrape reports a failure, it never raises
            current_app.logger.exception("metrics: the database figures failed")
            transaction.rollback()
            up.add_metric(["database"], 0)
        try:
            yield from self._redis()
            up.add_metric(["redis"], 1)
        except Exception:  # noqa: BLE001
            up.add_metric(["redis"], 0)
        yield up

    def _database(self, now):
        pending, oldest = promises.outbox_backlog(now)
        yield GaugeMetricFamily("portal_outbox_pending_messages", "Messages due and not yet sent", value=pending)
        yield GaugeMetricFamily(
            "portal_outbox_oldest_pending_seconds", "Age of the oldest message due and not yet sent", value=oldest
        )
        by_state = GaugeMetricFamily(
            "portal_messages_last_day", "Messages written in the last 24 hours, by outcome", labels=["state"]
        )
        for state, n in promises.messages_by_state(now - timedelta(days=1)).items():
            by_state.add_metric([state], n)
        yield by_state
        yield GaugeMetricFamily(
            "portal_promise_active_past_cadence",
            "Active candidates who have heard nothing for longer than their firm's cadence",
            value=promises.active_past_cadence(now),
        )
        yield GaugeMetricFamily(
            "portal_promise_closed_without_close_the_loop",
            "Closed candidacies with no close-the-loop message",
            value=promises.closed_without_close_the_loop(),
        )
        owed, overdue = promises.interviews_owed_feedback(now)
        yield GaugeMetricFamily(
            "portal_promise_interviews_owed_feedback",
            "Held interviews with no feedback for the candidate yet",
            value=owed,
        )
        yield GaugeMetricFamily(
            "portal_promise_interviews_feedback_overdue",
            "Of those, past the firm's feedback window (the candidate was told the firm is still waiting)",
            value=overdue,
        )

        waiting, late = promises.candidate_messages_unanswered(now)
        yield GaugeMetricFamily(
            "portal_promise_candidate_messages_unanswered",
            "Candidate messages with no recruiter answer yet (nor marked as needing none)",
            value=waiting,
        )
        yield GaugeMetricFamily(
            "portal_promise_candidate_messages_overdue", "Of those, past the firm's reply window", value=late
        )

    def _redis(self):
        from rq import Queue, Worker

        redis = get_redis()
        depth = GaugeMetricFamily("portal_queue_jobs", "Jobs waiting in each queue", labels=["queue"])
        workers = GaugeMetricFamily("portal_workers", "RQ workers listening on each queue", labels=["queue"])
        names = [queue_name(MESSAGES), queue_name(DEFAULT)]
        alive = Worker.all(connection=redis)
        for name in names:
            depth.add_metric([name], Queue(name, connection=redis).count)
            workers.add_metric([name], sum(1 for w in alive if name in w.queue_names()))
        yield depth
        yield workers
        beat = redis.get(f"{current_app.config['QUEUE_PREFIX']}:scheduler-heartbeat")
        age = time.time() - float(beat) if beat else float("inf")
        yield GaugeMetricFamily(
            "portal_scheduler_heartbeat_seconds", "Seconds since the running scheduler's last heartbeat", value=age
        )


@bp.route("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return Response("unauthorised\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(SystemCollector())
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST})


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _started)  # first: time refusals too
    app.after_request(_answered)
    app.register_blueprint(bp)
