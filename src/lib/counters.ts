import client from 'prom-client';

// Counters the domain increments (it does not import http/): src/http/metrics.ts registers each in
// the /metrics registry it builds.

export const verificationRefusals = new client.Counter({
  name: 'tocsin_contact_verification_refused_total',
  help: 'Contact verification sends and checks refused, by reason (user, destination, server: send limits; wrong_code, exhausted: code checks; too_many_methods)',
  labelNames: ['reason'],
  registers: [],
});

export const DOMAIN_COUNTERS: client.Metric[] = [verificationRefusals];
