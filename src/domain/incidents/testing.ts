// Test support shared by the incident tests (not used by the application).

// A plan in the shape of the "marketing platform" seed: two languages, plan responders for P1,
// explicit transitions, two checklists and a link template.
export const PAYMENTS_PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: payments }
languages: [en, am]
severities:
  - id: P1
    title: Critical
    targets: { acknowledge: 5m, triage: 15m, firstUpdate: 15m, statusPage: 30m, resolve: 4h }
    responders: [service-owner, sre-oncall, senior-eng-lead, product-rep]
  - id: P2
    title: Major
    targets: { acknowledge: 15m, resolve: 1d }
groups:
  - { id: service-owner, title: Service owner, serviceOwner: true }
  - { id: sre-oncall, title: SRE on-call }
  - { id: senior-eng-lead, title: Senior engineering lead }
  - { id: product-rep, title: Product representative }
roles:
  - { id: incident-commander, title: Incident Commander }
  - { id: scribe, title: Scribe }
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
  transitions:
    investigating: [identified, resolved]
    identified: [monitoring, investigating]
    monitoring: [resolved, identified]
    resolved: [investigating]
channel: { name: "incident-{date}-{slug}" }
checklists:
  declare: [Open the war room, Page the service owner]
  resolved: [Schedule the post-mortem]
links:
  traces: "https://tempo.example.com/search?q={correlation_id}&svc={service}"
`;
