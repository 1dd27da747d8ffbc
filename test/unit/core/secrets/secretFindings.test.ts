import * as assert from 'node:assert/strict';
import { secretFindings } from '../../../../src/core/secrets/secretFindings';
import { parseVariables } from '../../../../src/core/model/variables';

const findings = (text: string) => secretFindings(parseVariables(text, '/p/.gitopshq/variables.yaml').variables.all());

describe('secret findings on the variables file', () => {
  it('warns about a secret too short or too common to be masked in logs, on its key', () => {
    const text = [
      'repo:',
      '  PIN: { value: "123", secret: true }',
      '  FLAG: { value: true, secret: true }',
      '  PORT: { value: 8080, secret: true }',
      '  GOOD: { value: "s3cr3t-long-enough", secret: true }',
      '  DELIVERED: { secret: true }',
      '  SHORT_PLAIN: ab',
    ].join('\n');
    const problems = findings(text);
    assert.deepEqual(
      problems.map((p) => [p.code, p.severity, p.span.start.line, p.span.start.character, p.span.end.character]),
      [
        ['secret-unsafe-to-mask', 'warning', 1, 2, 5],
        ['secret-unsafe-to-mask', 'warning', 2, 2, 6],
        ['secret-unsafe-to-mask', 'warning', 3, 2, 6],
      ],
    );
    assert.match(problems[0]!.message, /PIN .*shorter than 4 characters: too short to be masked safely/);
    assert.match(problems[1]!.message, /common word/);
    assert.ok(!problems.some((p) => p.message.includes('123') && !p.message.includes('PIN')), 'the value itself is never quoted');
  });

  it('warns on a plain value overriding a secret at a narrower scope, and only where the scopes meet', () => {
    const text = [
      'repo:',
      '  API_KEY: { value: "repo-secret-value", secret: true }',
      'env:',
      '  dev:',
      '    API_KEY: plain-dev-key',
      '    DB_PASS: { value: "dev-db-password", secret: true }',
      'tenant:',
      '  acme:',
      '    DB_PASS: plain-acme-pass',
      'svc:',
      '  acme:',
      '    prod:',
      '      api:',
      '        DB_PASS: plain-prod-pass',
      '        API_KEY: { value: "svc-secret-value", secret: true }',
    ].join('\n');
    const problems = findings(text).filter((p) => p.code === 'secret-overridden-by-plain');
    assert.deepEqual(
      problems.map((p) => p.span.start.line),
      [4, 8],
      'the env override of a repo secret, and the tenant override of an env secret (the svc one is in prod, not dev)',
    );
    assert.match(problems[0]!.message, /API_KEY is a secret for the repository \(line 2\), but this plain value overrides it in environment dev/);
    for (const p of problems) assert.ok(!/repo-secret-value|dev-db-password/.test(p.message));
  });
});
