import type { FastifyReply } from 'fastify';
import type { App } from '../http-app.ts';
import { getFrequency } from './frequency.ts';
import { getGoals } from './goals.ts';
import { getOnCallLoad } from './oncall-load.ts';
import {
  complianceCsv,
  frequencyCsv,
  frequencyQuerySchema,
  goalsCsv,
  metricsCsv,
  onCallLoadCsv,
  reportQuerySchema,
  rootCausesCsv,
} from './reports.ts';
import { getResponseMetrics } from './response-metrics.ts';
import { complianceReportAnswer, goalsReportAnswer, metricsReportAnswer } from './responses.ts';
import { getRootCauses } from './root-causes.ts';
import { getTargetCompliance } from './target-compliance.ts';

const BASE = '/api/v1/reports';
const tags = ['reports'];

function sendCsv(reply: FastifyReply, name: string, text: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(text);
}

// ?format=csv answers the rows as CSV (one header line); JSON otherwise.
export function registerReportRoutes(app: App): void {
  app.get(
    `${BASE}/metrics`,
    {
      schema: {
        tags,
        querystring: reportQuerySchema,
        summary: 'MTTD, MTTA, MTTR (mean, median, p90) overall and per severity, service and team',
        response: { 200: metricsReportAnswer },
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getResponseMetrics({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'metrics', metricsCsv(report.rows)) : report;
    },
  );
  app.get(
    `${BASE}/compliance`,
    {
      schema: {
        tags,
        querystring: reportQuerySchema,
        summary: "How often each of the plan's targets was met",
        response: { 200: complianceReportAnswer },
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getTargetCompliance({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'compliance', complianceCsv(report.rows)) : report;
    },
  );
  app.get(
    `${BASE}/goals`,
    {
      schema: {
        tags,
        querystring: reportQuerySchema,
        summary: "The plan's goals, met or not over the period",
        response: { 200: goalsReportAnswer },
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getGoals({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'goals', goalsCsv(report.goals)) : report;
    },
  );
  app.get(
    `${BASE}/frequency`,
    {
      schema: {
        tags,
        querystring: frequencyQuerySchema,
        summary: 'Incidents declared per week or month, in all and per severity (empty buckets as 0)',
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getFrequency({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'frequency', frequencyCsv(report.buckets)) : report;
    },
  );
  app.get(
    `${BASE}/root-causes`,
    {
      schema: {
        tags,
        querystring: reportQuerySchema,
        summary: "Incidents per root-cause category (as their post-mortems record; the plan's list first)",
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getRootCauses({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'root-causes', rootCausesCsv(report)) : report;
    },
  );
  app.get(
    `${BASE}/oncall-load`,
    {
      schema: {
        tags,
        querystring: reportQuerySchema,
        summary:
          "Per person: pages received, night pages (22:00–07:00 in the person's time zone), hours on call",
      },
    },
    async (request, reply) => {
      const { format, ...input } = request.query;
      const report = await getOnCallLoad({ ctx: request.ctx, input });
      return format === 'csv' ? sendCsv(reply, 'oncall-load', onCallLoadCsv(report.rows)) : report;
    },
  );
}
