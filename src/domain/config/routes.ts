import type { App } from '../../http/server.ts';

export function registerConfigRoutes(_app: App): void {}
