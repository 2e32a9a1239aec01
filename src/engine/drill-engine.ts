import type { DrillEngine } from '../domain/drills/run-drill.ts';
import { Engine } from './engine.ts';
import { engineModules } from './modules.ts';

/** The real engine for a drill (runDrill); no delivery: its notifications stay in the outbox. */
export const drillEngine: DrillEngine = (deps) => new Engine(deps, engineModules({ deliver: false }));
