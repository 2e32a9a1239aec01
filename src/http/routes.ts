import { registerUserRoutes } from '../domain/users/routes.ts';
import type { App, AppDeps } from './server.ts';

// Every concept's routes, registered in one place.
export async function registerRoutes(app: App, _deps: AppDeps): Promise<void> {
  registerUserRoutes(app);
}
