// What the dashboard panel (dist/panels.js) gets from the main bundle, which owns the services and the
// Projects view: the fleet, how to reveal a tile in the tree, and where render timings go.
import type { FleetService } from './fleetService';

export interface RenderTiming {
  kind: 'full' | 'patch';
  ms: number;
  tiles: number;
}

export interface DashboardHooks {
  fleet: FleetService;
  reveal(project: string, environment: string, tenant: string): Promise<void>;
  rendered(timing: RenderTiming): void;
}
