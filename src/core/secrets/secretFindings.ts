// Warnings on the variables file about secrets the masker cannot protect: a value too short or too
// common to be masked in logs (masking it would hide ordinary words, so logs leave it), and a secret
// overridden by a plain value at a narrower scope (the plain value is shown everywhere, unmasked).
import type { Problem, VariableDef, VariableScope } from '../types';
import { unsafeSecretReason } from './mask';

const RANK: Record<VariableScope, number> = { svc: 0, tenant: 1, env: 2, repo: 3 };

export function secretFindings(defs: readonly VariableDef[]): Problem[] {
  const problems: Problem[] = [];
  const byKey = new Map<string, VariableDef[]>();
  for (const def of defs) {
    const list = byKey.get(def.key);
    if (list) list.push(def);
    else byKey.set(def.key, [def]);
    if (!def.secret || def.value === undefined || def.value === null) continue;
    const reason = unsafeSecretReason(String(def.value));
    if (reason) {
      problems.push(at(def, 'secret-unsafe-to-mask', `The value of secret ${def.key} is ${reason}: too short to be masked safely in logs. Use a longer, random value.`));
    }
  }
  for (const list of byKey.values()) {
    const secrets = list.filter((d) => d.secret);
    if (secrets.length === 0) continue;
    for (const plain of list) {
      if (plain.secret) continue;
      const hidden = secrets.find((s) => RANK[plain.scope] < RANK[s.scope] && overlaps(plain, s));
      if (!hidden) continue;
      problems.push(
        at(
          plain,
          'secret-overridden-by-plain',
          `${plain.key} is a secret ${describe(hidden)} (line ${hidden.origin.line + 1}), but this plain value overrides it ${describe(plain)}: ` +
            'it is shown unmasked in hover, compare and the API. Add `secret: true` here too.',
        ),
      );
    }
  }
  return problems;
}

/** Whether a narrower definition applies to some (tenant, environment, workload) the broader one applies to. */
function overlaps(narrow: VariableDef, broad: VariableDef): boolean {
  if (broad.scope === 'repo') return true;
  if (broad.scope === 'env') return narrow.scope !== 'svc' || narrow.environment === broad.environment;
  if (broad.scope === 'tenant') return narrow.scope === 'svc' && narrow.tenant === broad.tenant;
  return false;
}

function describe(def: VariableDef): string {
  switch (def.scope) {
    case 'repo':
      return 'for the repository';
    case 'env':
      return `in environment ${def.environment ?? '?'}`;
    case 'tenant':
      return `for tenant ${def.tenant ?? '?'}`;
    case 'svc':
      return `for ${def.workload ?? '?'} (${def.tenant ?? '?'}, ${def.environment ?? '?'})`;
  }
}

function at(def: VariableDef, code: string, message: string): Problem {
  const { line, character } = def.origin;
  return { file: def.origin.file, span: { start: { line, character }, end: { line, character: character + def.key.length } }, severity: 'warning', code, message };
}
