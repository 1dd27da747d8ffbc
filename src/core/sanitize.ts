// Removes secrets from text before it reaches a log line. Kubeconfig credentials, bearer tokens and
// known secret variable values are replaced by the mask; everything else is kept for debugging.
import { SECRET_MASK } from './types';

const PATTERNS: RegExp[] = [
  /((?:client-key-data|client-certificate-data|token|password|id-token|refresh-token|access-token)\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /(authorization\s*:\s*(?:bearer|basic)\s+)[^\s"',}]+/gi,
  /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

export function sanitize(text: string, secretValues: Iterable<string> = []): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, `$1${SECRET_MASK}`);
  for (const secret of secretValues) {
    // Short secrets would mask ordinary words; a 4-character secret is not worth hiding in a log anyway.
    if (secret.length >= 4) out = out.split(secret).join(SECRET_MASK);
  }
  return out;
}
