// Every HQ Variable of a project with what it resolves to in each environment (and tenant),
// the winning scope and where it is defined. Used by the HQ Variables view and Go to….
import { displayValue } from '../format';
import { defaultTenant } from './lookup';
import type { VariableSet } from './variables';
import { SECRET_MASK, type Origin, type Project, type VariableDef, type VariableScope } from '../types';

export interface VariableRow {
  environment: string;
  /** Set when the project declares tenants. */
  tenant?: string;
  /** Set for rows that exist because a service-scoped definition overrides the others for this workload. */
  workload?: string;
  defined: boolean;
  /** The value as shown: `••••••` for secrets, `undefined` when nothing defines it. */
  display: string;
  scope?: VariableScope;
  origin?: Origin;
}

export interface VariableEntry {
  key: string;
  description?: string;
  secret: boolean;
  definitions: VariableDef[];
  rows: VariableRow[];
}

export function variablesTable(project: Project, variables: VariableSet, filter = ''): VariableEntry[] {
  const needle = filter.trim().toLowerCase();
  const tenants = project.tenantsDeclared ? project.tenants : [undefined];
  return variables
    .keys()
    .filter((key) => key.toLowerCase().includes(needle))
    .map((key) => {
      const definitions = variables.definitions(key);
      const rows: VariableRow[] = [];
      for (const env of project.environments) {
        for (const tenant of tenants) {
          const context = { environment: env.name, tenant: tenant ?? defaultTenant(project), workload: '' };
          rows.push(row(variables, key, context, tenant));
          // A service-scoped definition changes the answer for one workload only: show it as its own row.
          for (const def of definitions) {
            if (def.scope === 'svc' && def.environment === env.name && def.tenant === context.tenant && def.workload) {
              rows.push(row(variables, key, { ...context, workload: def.workload }, tenant));
            }
          }
        }
      }
      const entry: VariableEntry = { key, secret: definitions.some((d) => d.secret), definitions, rows };
      const description = definitions.find((d) => d.description)?.description;
      if (description !== undefined) entry.description = description;
      return entry;
    });
}

function row(
  variables: VariableSet,
  key: string,
  context: { environment: string; tenant: string; workload: string },
  tenant: string | undefined,
): VariableRow {
  const resolution = variables.resolve(key, context);
  const out: VariableRow = {
    environment: context.environment,
    defined: resolution.defined,
    display: !resolution.defined ? 'undefined' : resolution.secret ? SECRET_MASK : displayValue(resolution.value ?? null),
  };
  if (tenant !== undefined) out.tenant = tenant;
  if (context.workload) out.workload = context.workload;
  if (resolution.scope) out.scope = resolution.scope;
  if (resolution.def) out.origin = resolution.def.origin;
  return out;
}
