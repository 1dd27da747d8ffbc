// The compare result as it may leave the host: the values of differences a secret went into become the
// mask, and every string that still holds a known secret (a literal in a values file) is masked.
import type { CompareResult } from '../compare/compare';
import { SECRET_MASK, type SecretMasker } from './mask';

export function maskCompareResult(result: CompareResult, masker: SecretMasker): CompareResult {
  const out: CompareResult = {
    ...result,
    workloads: result.workloads.map((w) => ({
      ...w,
      differences: w.differences.map((d) =>
        d.secret
          ? { ...d, ...(d.source !== undefined ? { source: SECRET_MASK } : {}), ...(d.target !== undefined ? { target: SECRET_MASK } : {}) }
          : d,
      ),
    })),
  };
  return masker.deep(out);
}
