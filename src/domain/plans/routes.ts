import type { App } from '../../http/server.ts';

export function registerPlanRoutes(_app: App): void {}
