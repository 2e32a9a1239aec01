import type { App } from '../../http/server.ts';

export function registerIncidentRoutes(_app: App): void {}
