import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommandObserver } from '../commands/handler.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Prometheus metrics of the API process; the projection engine registers its own gauges on the same registry. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const commandDuration = new Histogram({
    name: 'command_duration_seconds',
    help: 'Commands (mutating requests) from arrival to answer, by route and outcome',
    labelNames: ['route', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const appendDuration = new Histogram({
    name: 'eventstore_append_duration_seconds',
    help: 'Appends to the event store',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const eventsAppended = new Counter({ name: 'eventstore_events_appended_total', help: 'Events appended', registers: [registry] });
  const conflicts = new Counter({
    name: 'command_concurrency_conflicts_total',
    help: 'Appends rejected for a wrong expected revision (then retried)',
    registers: [registry],
  });
  const commandObserver: CommandObserver = {
    onAppend(_stream, seconds, events) {
      appendDuration.observe(seconds);
      eventsAppended.inc(events);
    },
    onConflict() {
      conflicts.inc();
    },
  };
  return { registry, httpDuration, commandDuration, commandObserver };
}

export type Metrics = ReturnType<typeof createMetrics>;
