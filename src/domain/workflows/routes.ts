import type { App } from '../../http/server.ts';

export function registerWorkflowRoutes(_app: App): void {}
