import client from 'prom-client';
import { DOMAIN_COUNTERS } from '../lib/counters.ts';

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  httpDuration: client.Histogram<'method' | 'route'>;
  engineTicks: client.Counter<'module' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tocsin_process_' });
  for (const counter of DOMAIN_COUNTERS) registry.registerMetric(counter);
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'tocsin_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'tocsin_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    engineTicks: new client.Counter({
      name: 'tocsin_engine_ticks_total',
      help: 'Engine module ticks by outcome (ran, skipped: another instance holds the lock, error)',
      labelNames: ['module', 'outcome'],
      registers: [registry],
    }),
  };
}
