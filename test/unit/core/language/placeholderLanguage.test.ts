import * as assert from 'node:assert/strict';
import { completionContextAt, placeholderAt } from '../../../../src/core/language/placeholderContext';
import {
  completionDetail,
  completionKeys,
  definitionLink,
  definitionTargets,
  hoverMarkdown,
  hoverRows,
  placeholderRanges,
  valuesFileContext,
  variableDescription,
  variableRows,
} from '../../../../src/core/language/variableInfo';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

/** The text with `|` removed and the offset where it was. */
function at(marked: string): [string, number] {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'the test text marks the cursor with |');
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

/** Applies a completion of `key` to marked text as the editor would: replace range, suffix, extra edits. */
function complete(marked: string, key: string): string {
  const [text, offset] = at(marked);
  const ctx = completionContextAt(text, offset);
  assert.ok(ctx, `a completion context in ${marked}`);
  const prefix = ctx.mode === 'start' ? 'hq.var.' : '';
  const edits = [{ offset: ctx.replace.start, end: ctx.replace.end, text: prefix + key + ctx.suffix }, ...ctx.extraEdits.map((e) => ({ ...e, end: e.offset }))];
  let out = text;
  for (const e of edits.sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.end);
  return out;
}

describe('placeholder language: context', () => {
  describe('placeholderAt', () => {
    it('finds the placeholder under the cursor in every grammar form', () => {
      for (const [marked, key, scope] of [
        ['host: "{{hq.var.DB_|HOST}}"', 'DB_HOST', undefined],
        ['host: "{{ hq.var.DB_HOST |}}"', 'DB_HOST', undefined],
        ['host: "|{{ hq.var.DB_HOST }}"', 'DB_HOST', undefined],
        ['url: "postgres://{{  hq.var.env.DB_HOST  }}|:5432/app"', 'DB_HOST', 'env'],
        ['x: "{{hq.var.svc.REPLICAS}}-{{hq.var.tenant.RE|GION}}"', 'REGION', 'tenant'],
      ] as const) {
        const [text, offset] = at(marked);
        const m = placeholderAt(text, offset);
        assert.ok(m, marked);
        assert.equal(m.valid, true, marked);
        assert.equal(m.key, key, marked);
        assert.equal(m.scope, scope, marked);
        assert.ok(text.slice(m.start, m.end).startsWith('{{') && text.slice(m.start, m.end).endsWith('}}'), marked);
      }
    });

    it('returns document offsets on any line and nothing outside placeholders', () => {
      const [text, offset] = at('a: 1\nb: "{{hq.var.A}}"\nc: "x {{hq.var.|B}}"\n');
      const m = placeholderAt(text, offset);
      assert.equal(text.slice(m!.start, m!.end), '{{hq.var.B}}');
      for (const marked of ['a: |"{{hq.var.A}}"', 'a: "{{hq.var.A}}"|', 'a: "{{ .Values.|x }}"', 'a: pl|ain']) {
        const [t, o] = at(marked);
        assert.equal(placeholderAt(t, o), undefined, marked);
      }
    });

    it('reports invalid forms as such', () => {
      const [text, offset] = at('a: "{{hq.var.nope.|X}}"');
      assert.equal(placeholderAt(text, offset)?.valid, false);
    });
  });

  describe('completionContextAt', () => {
    it('completes a key after {{hq.var. with the missing }} and closing quote', () => {
      const [text, offset] = at('host: "{{hq.var.|');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.mode, 'key');
      assert.equal(ctx.partial, '');
      assert.equal(ctx.scope, undefined);
      assert.equal(ctx.offerScopes, true);
      assert.deepEqual(ctx.replace, { start: offset, end: offset });
      assert.equal(ctx.suffix, '}}"');
      assert.equal(complete('host: "{{hq.var.|', 'DB_HOST'), 'host: "{{hq.var.DB_HOST}}"');
    });

    it('keeps the spacing style of {{ hq.var. and the partial key', () => {
      const [text, offset] = at('host: "{{ hq.var.DB_|');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.partial, 'DB_');
      assert.equal(ctx.replace.start, offset - 3);
      assert.equal(complete('host: "{{ hq.var.DB_|', 'DB_HOST'), 'host: "{{ hq.var.DB_HOST }}"');
    });

    it('completes a pinned scope and offers no scope keywords there', () => {
      const [text, offset] = at('host: "{{hq.var.env.D|');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.scope, 'env');
      assert.equal(ctx.partial, 'D');
      assert.equal(ctx.offerScopes, false);
      assert.equal(complete('host: "{{hq.var.env.D|', 'DB_HOST'), 'host: "{{hq.var.env.DB_HOST}}"');
      assert.equal(complete('host: "{{ hq.var.svc.|', 'REPLICAS'), 'host: "{{ hq.var.svc.REPLICAS }}"');
    });

    it('adds nothing that is already there, and replaces the rest of the word', () => {
      assert.equal(complete('host: "{{hq.var.DB|}}"', 'DB_HOST'), 'host: "{{hq.var.DB_HOST}}"');
      assert.equal(complete('host: "{{ hq.var.D|B_HOSX }}"', 'DB_HOST'), 'host: "{{ hq.var.DB_HOST }}"');
      assert.equal(complete("host: '{{hq.var.|'", 'DB_HOST'), "host: '{{hq.var.DB_HOST}}'");
      assert.equal(complete('url: "postgres://{{hq.var.|:5432/app"', 'DB_HOST'), 'url: "postgres://{{hq.var.DB_HOST}}:5432/app"');
    });

    it('closes the quote after an existing }} when only the quote is missing', () => {
      const [text, offset] = at('host: "{{hq.var.|}}');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.suffix, '');
      assert.deepEqual(ctx.extraEdits, [{ offset: text.length, text: '"' }]);
      assert.equal(complete('host: "{{hq.var.|}}', 'X'), 'host: "{{hq.var.X}}"');
    });

    it('quotes an unquoted placeholder that starts the scalar', () => {
      assert.equal(complete('host: {{hq.var.|', 'DB_HOST'), 'host: "{{hq.var.DB_HOST}}"');
      assert.equal(complete('  - {{ hq.var.|', 'DB_HOST'), '  - "{{ hq.var.DB_HOST }}"');
      // Inside a longer plain scalar, no quotes are invented.
      assert.equal(complete('url: postgres://{{hq.var.|', 'DB_HOST'), 'url: postgres://{{hq.var.DB_HOST}}');
    });

    it('inserts hq.var. too right after {{', () => {
      const [text, offset] = at('host: "{{|');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.mode, 'start');
      assert.equal(ctx.offerScopes, false);
      assert.equal(complete('host: "{{|', 'DB_HOST'), 'host: "{{hq.var.DB_HOST}}"');
      assert.equal(complete('host: "{{ hq.v|', 'DB_HOST'), 'host: "{{ hq.var.DB_HOST }}"');
    });

    it('offers nothing outside an unfinished placeholder', () => {
      for (const marked of [
        'host: "{{hq.var.DB_HOST}}|"',
        'host: "{{hq.var.DB_HOST}} and |',
        'host: "{{ .Values.|',
        'host: "{|',
        'host: |',
        '# see "{{hq.var.|',
        'host: "x" # {{hq.var.|',
        'a: "{{hq.var.X}}"\nb: "|"',
      ]) {
        const [text, offset] = at(marked);
        assert.equal(completionContextAt(text, offset), undefined, marked);
      }
    });

    it('works on any line of a document with CRLF line breaks', () => {
      const [text, offset] = at('a: 1\r\nb: "{{hq.var.|\r\nc: 2\r\n');
      const ctx = completionContextAt(text, offset)!;
      assert.equal(ctx.suffix, '}}"');
      assert.deepEqual(ctx.replace, { start: offset, end: offset });
    });
  });
});

const P = '/ws/shop';

function files(tenants = 'tenants: [acme, globex]'): Record<string, string> {
  return {
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
    - name: production
  ${tenants}
  workloads:
    - name: web
      chart: charts/web
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
    - name: batch
      chart: charts/web
      values: values/{env}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]: `repo:
  HOST: shop.example.com
  POOL: { value: 20, description: Pool size | per pod }
  TOKEN: { value: t0k3n-value, secret: true, description: API token }
env:
  production:
    HOST: shop.prod.example.com
    POOL: 200
tenant:
  acme:
    REGION: eu
svc:
  acme:
    production:
      web:
        POOL: { value: 400, description: acme peak }
`,
    [`${P}/charts/web/Chart.yaml`]: 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
    [`${P}/charts/web/values.yaml`]: 'pool: "{{hq.var.POOL}}"\n',
    [`${P}/values/base/web.yaml`]: 'host: "{{hq.var.HOST}}"\npool: "{{ hq.var.POOL }}"\n',
    [`${P}/values/dev/web.yaml`]: 'host: "{{hq.var.HOST}}"\n',
    [`${P}/values/production/acme/web.yaml`]: 'region: "{{hq.var.REGION}}"\n',
  };
}

async function indexed(tenants?: string) {
  const index = new ProjectIndex(new MemoryFileSystem(files(tenants)));
  await index.scan(['/ws']);
  return { index, variables: index.variables('shop') };
}

describe('placeholder language: variable info', () => {
  it('knows which combinations a values file applies to', async () => {
    const { index } = await indexed();
    const combos = (file: string) => valuesFileContext(index, 'shop', file)?.combos.map((c) => `${c.environment}/${c.tenant}/${c.workload}`);
    assert.deepEqual(combos(`${P}/values/production/acme/web.yaml`), ['production/acme/web']);
    assert.deepEqual(combos(`${P}/values/dev/web.yaml`), ['dev/acme/web', 'dev/globex/web']);
    assert.deepEqual(combos(`${P}/values/base/web.yaml`), ['dev/acme/web', 'dev/globex/web', 'production/acme/web', 'production/globex/web']);
    // The chart values.yaml serves both workloads that use the chart, everywhere.
    assert.equal(combos(`${P}/charts/web/values.yaml`)?.length, 8);
    assert.equal(valuesFileContext(index, 'shop', `${P}/charts/web/values.yaml`)?.kind, 'chart');
    assert.equal(valuesFileContext(index, 'shop', `${P}/gitopshq.yaml`), undefined);
    assert.equal(valuesFileContext(index, 'shop', `${P}/.gitopshq/variables.yaml`), undefined);
    assert.equal(valuesFileContext(index, 'nope', `${P}/values/dev/web.yaml`), undefined);
  });

  it('has one row for a file that applies to one combination, one per env and tenant for a base layer', async () => {
    const { index, variables } = await indexed();
    const one = valuesFileContext(index, 'shop', `${P}/values/production/acme/web.yaml`)!;
    const rows = variableRows(variables, one, 'POOL');
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0], origin: undefined },
      { environment: 'production', tenant: 'acme', defined: true, secret: false, display: '400', scope: 'svc', origin: undefined },
    );
    assert.equal(rows[0]?.origin?.file, `${P}/.gitopshq/variables.yaml`);
    assert.equal(rows[0]?.origin?.line, 15);

    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    const all = variableRows(variables, base, 'POOL').map((r) => `${r.environment}/${r.tenant} ${r.display} ${r.scope} L${r.origin?.line}`);
    assert.deepEqual(all, ['dev/acme 20 repo L2', 'dev/globex 20 repo L2', 'production/acme 400 svc L15', 'production/globex 200 env L7']);
  });

  it('splits rows by workload only where workloads of a shared file differ (svc scope)', async () => {
    const { index, variables } = await indexed();
    const chart = valuesFileContext(index, 'shop', `${P}/charts/web/values.yaml`)!;
    const rows = variableRows(variables, chart, 'POOL').map((r) => `${r.environment}/${r.tenant}${r.workload ? `/${r.workload}` : ''} ${r.display}`);
    assert.deepEqual(rows, ['dev/acme 20', 'dev/globex 20', 'production/acme/web 400', 'production/acme/batch 200', 'production/globex 200']);
  });

  it('honours a pinned scope, shows undefined rows, and leaves the tenant out when none are declared', async () => {
    const { index, variables } = await indexed();
    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    const pinned = variableRows(variables, base, 'POOL', 'env').map((r) => `${r.environment}/${r.tenant} ${r.display}`);
    assert.deepEqual(pinned, ['dev/acme undefined', 'dev/globex undefined', 'production/acme 200', 'production/globex 200']);
    const region = variableRows(variables, base, 'REGION');
    assert.deepEqual(
      region.map((r) => r.defined),
      [true, false, true, false],
    );

    const single = await indexed('');
    const ctx = valuesFileContext(single.index, 'shop', `${P}/values/dev/web.yaml`)!;
    const rows = variableRows(single.variables, ctx, 'HOST');
    assert.deepEqual(rows.map((r) => [r.environment, r.tenant, r.display]), [['dev', undefined, 'shop.example.com']]);
  });

  it('masks secrets in rows, details and markdown', async () => {
    const { index, variables } = await indexed();
    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    const rows = variableRows(variables, base, 'TOKEN');
    assert.ok(rows.every((r) => r.display === SECRET_MASK && r.secret));
    const md = hoverMarkdown(rows, 'TOKEN', { description: variableDescription(variables, 'TOKEN')! });
    const detail = completionDetail(rows);
    for (const shown of [md, detail, JSON.stringify(rows)]) assert.ok(!shown.includes('t0k3n'), shown);
    assert.ok(md.includes(SECRET_MASK));
    assert.ok(md.includes('secret'));
    assert.equal(detail, `dev: ${SECRET_MASK} · production: ${SECRET_MASK}`);
  });

  it('renders a Markdown table with links to the definitions and bold undefined rows', async () => {
    const { index, variables } = await indexed();
    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    const md = hoverMarkdown(variableRows(variables, base, 'POOL'), 'POOL', { description: variableDescription(variables, 'POOL')! });
    const lines = md.split('\n');
    assert.ok(lines[0]?.includes('`POOL`'));
    // The general description (the repo one), with its pipe intact outside the table.
    assert.ok(md.includes('Pool size | per pod'), md);
    assert.ok(lines.includes('| Environment | Tenant | Value | Scope |'), md);
    const link = definitionLink({ file: `${P}/.gitopshq/variables.yaml`, line: 15 });
    assert.equal(link, 'file:///ws/shop/.gitopshq/variables.yaml#L16');
    assert.ok(lines.includes(`| production | acme | \`400\` | [svc](${link}) |`), md);
    assert.ok(lines.includes('| dev | globex | `20` | [repo](file:///ws/shop/.gitopshq/variables.yaml#L3) |'), md);

    const region = hoverMarkdown(variableRows(variables, base, 'REGION'), 'REGION', { pinned: 'tenant' });
    assert.ok(region.includes('| **dev** | globex | **⚠ undefined** |  |'), region);
    assert.ok(region.includes('pinned to the `tenant` scope'), region);

    const noTenants = hoverMarkdown([{ environment: 'dev', defined: true, secret: false, display: 'a|b', scope: 'repo' }], 'K');
    assert.ok(noTenants.includes('| Environment | Value | Scope |'), noTenants);
    assert.ok(noTenants.includes('| dev | `a\\|b` | repo |'), noTenants);
  });

  it('hovers with every environment and tenant: the file\'s own rows first, the others marked, in promotion order', async () => {
    const { index, variables } = await indexed();
    const one = valuesFileContext(index, 'shop', `${P}/values/production/acme/web.yaml`)!;
    const rows = hoverRows(variables, one, 'POOL').map((r) => `${r.environment}/${r.tenant} ${r.display} ${r.applies === false ? 'other' : 'own'}`);
    assert.deepEqual(rows, ['production/acme 400 own', 'dev/acme 20 other', 'dev/globex 20 other', 'production/globex 200 other']);
    const md = hoverMarkdown(hoverRows(variables, one, 'POOL'), 'POOL');
    const table = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Environment'));
    assert.deepEqual(
      table.map((l) => l.split(' | ').slice(0, 3).join(' | ')),
      ['| production | acme | `400`', '| dev _(not from this file)_ | acme | `20`', '| dev _(not from this file)_ | globex | `20`', '| production _(not from this file)_ | globex | `200`'],
    );
    assert.ok(!md.includes('applies to no environment'), md);

    // A file of every environment has no other rows; a pinned scope holds for the other rows too.
    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    assert.deepEqual(hoverRows(variables, base, 'POOL'), variableRows(variables, base, 'POOL'));
    const dev = valuesFileContext(index, 'shop', `${P}/values/dev/web.yaml`)!;
    assert.deepEqual(
      hoverRows(variables, dev, 'POOL', 'env').map((r) => `${r.environment}/${r.tenant} ${r.display}`),
      ['dev/acme undefined', 'dev/globex undefined', 'production/acme 200', 'production/globex 200'],
    );
  });

  it('summarises values per environment for completion details', async () => {
    const { index, variables } = await indexed();
    const base = valuesFileContext(index, 'shop', `${P}/values/base/web.yaml`)!;
    assert.equal(completionDetail(variableRows(variables, base, 'HOST')), 'dev: shop.example.… · production: shop.prod.exa…');
    assert.equal(completionDetail(variableRows(variables, base, 'POOL')), 'dev: 20 · production: 400 / 200');
    assert.equal(completionDetail(variableRows(variables, base, 'REGION')), 'dev: eu / undefined · production: eu / undefined');
  });

  it('goes to the definitions that win for the file first (in promotion order), then every other one; a pinned scope only to its own', async () => {
    const { index, variables } = await indexed();
    const where = (defs: { scope: string; origin: { line: number } }[]) => defs.map((d) => `${d.scope}:${d.origin.line}`);
    const ctx = (file: string) => valuesFileContext(index, 'shop', `${P}/${file}`)!.combos;
    // production/globex resolves POOL at env.production even though svc and repo define it too.
    assert.deepEqual(where(definitionTargets(variables, 'POOL', undefined, [{ environment: 'production', tenant: 'globex', workload: 'web' }])), [
      'env:7',
      'svc:15',
      'repo:2',
    ]);
    // A file of every environment: dev's winner, then production's (acme, globex), then the rest.
    assert.deepEqual(where(definitionTargets(variables, 'POOL', undefined, ctx('values/base/web.yaml'))), ['repo:2', 'svc:15', 'env:7']);
    assert.deepEqual(where(definitionTargets(variables, 'HOST', undefined, ctx('values/production/acme/web.yaml'))), ['env:6', 'repo:1']);
    assert.deepEqual(where(definitionTargets(variables, 'POOL', 'env', ctx('values/dev/web.yaml'))), ['env:7']);
    assert.deepEqual(where(definitionTargets(variables, 'NOPE', undefined, [])), []);
  });

  it('puts the env definition of the file\'s environment first even when another environment defines it earlier', async () => {
    const index = new ProjectIndex(
      new MemoryFileSystem({
        ...files(''),
        [`${P}/gitopshq.yaml`]: files('')[`${P}/gitopshq.yaml`]!.replace('    - name: production\n', '    - name: qa\n    - name: uat\n    - name: production\n'),
        [`${P}/.gitopshq/variables.yaml`]: 'env:\n  qa:\n    DB_HOST: qa-db\n  uat:\n    DB_HOST: uat-db\n  production:\n    DB_HOST: prod-db\n',
        [`${P}/values/uat/web.yaml`]: 'db: "{{hq.var.env.DB_HOST}}"\n',
      }),
    );
    await index.scan(['/ws']);
    const combos = valuesFileContext(index, 'shop', `${P}/values/uat/web.yaml`)!.combos;
    const targets = definitionTargets(index.variables('shop'), 'DB_HOST', 'env', combos);
    assert.deepEqual(
      targets.map((d) => `${d.environment}:${d.origin.line}`),
      ['uat:4', 'qa:2', 'production:6'],
    );
  });

  it('lists completion keys, all or for a pinned scope', async () => {
    const { variables } = await indexed();
    assert.deepEqual(completionKeys(variables), ['HOST', 'POOL', 'REGION', 'TOKEN']);
    assert.deepEqual(completionKeys(variables, 'env'), ['HOST', 'POOL']);
    assert.deepEqual(completionKeys(variables, 'svc'), ['POOL']);
  });

  it('finds the placeholders of a key in a text', () => {
    const text = 'a: "{{hq.var.HOST}}"\nb: "x{{ hq.var.env.HOST }}y"\nc: "{{hq.var.HOSTS}}"\nd: "{{hq.var.bad.HOST}}"\n';
    assert.deepEqual(
      placeholderRanges(text, 'HOST').map((r) => text.slice(r.start, r.end)),
      ['{{hq.var.HOST}}', '{{ hq.var.env.HOST }}'],
    );
    assert.deepEqual(placeholderRanges('nothing here', 'HOST'), []);
  });
});
