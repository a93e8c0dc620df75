// The job metrics of the contract, on the registry of whichever process serves /metrics. Queue
// depth is read from the database at scrape time, so the API process reports it too, and every
// replica agrees on it.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { WebhookRepository } from "./repository.js";

export const JOB_TYPE = "webhook_delivery";
export const OUTCOMES = ["delivered", "retry", "dead", "cancelled"] as const;
export type JobOutcome = (typeof OUTCOMES)[number];

export interface JobMetrics {
  outcome(outcome: JobOutcome): void;
  /** Seconds one attempt that sent a request took. */
  attemptDuration(seconds: number): void;
}

export function registerJobMetrics(registry: Registry, webhooks: WebhookRepository): JobMetrics {
  const jobs = new Counter({
    name: "background_jobs_total",
    help: "Background jobs finished, by type and outcome (retry: an attempt failed, another is due).",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  // Every outcome starts at 0, so increase() in the alert rules sees the first dead job.
  for (const outcome of OUTCOMES) jobs.inc({ type: JOB_TYPE, outcome }, 0);
  new Gauge({
    name: "background_jobs_queue_depth",
    help: "Jobs waiting for an attempt (pending, due or not), read from the database.",
    labelNames: ["type"] as const,
    registers: [registry],
    async collect() {
      try {
        this.set({ type: JOB_TYPE }, await webhooks.queueDepth());
      } catch {
        // Database unreachable: keep the last value; /readyz reports the outage.
      }
    },
  });
  const duration = new Histogram({
    name: "webhook_delivery_duration_seconds",
    help: "Duration of webhook delivery attempts that sent a request, in seconds.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    outcome: (outcome) => jobs.inc({ type: JOB_TYPE, outcome }),
    attemptDuration: (seconds) => duration.observe(seconds),
  };
}
