import type { FastifyReply } from 'fastify';
import type { App } from '../http-app.ts';
import { getGoals } from './goals.ts';
import { complianceCsv, goalsCsv, metricsCsv, reportQuerySchema } from './reports.ts';
import { getResponseMetrics } from './response-metrics.ts';
import { complianceReportAnswer, goalsReportAnswer, metricsReportAnswer } from './responses.ts';
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
}
