import type { EngineModule } from './engine.ts';

// Every engine module, in the order a tick runs them. Each issue adds its own here.
export function engineModules(): EngineModule[] {
  return [];
}
