'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: runnable by plain Node and by tests */
// Turns demo/ into a real Git repository with a short, believable history and deployed branches.
//
//   const { prepareDemoRepo } = require('./scripts/lib/demo-repo.cjs');
//   const { dir, cleanup } = await prepareDemoRepo();   // a fresh temp dir, branch main checked out
//
// The files of demo/ are the content of `main`'s tip. Earlier commits are derived from them by
// undoing, newest first, the small text edits each commit in HISTORY declares. Deployed branches
// `gitopshq/deployed/<tenant>/<env>` point at the main commit that was deployed (their content is
// the repository's content at that time). demo/README.md documents the resulting state.
//
// Node built-ins and the `git` CLI only; no global Git configuration is read or needed.

const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');

const execFileAsync = promisify(execFile);

/**
 * The project's demo/ folder: the nearest `demo/gitopshq.yaml` above this file. That is
 * ../../demo from scripts/lib, and still the project's demo/ when a build copies this file
 * elsewhere in the project (for example to out/scripts/lib for compiled tests).
 */
async function defaultSource() {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'demo');
    if (await fs.access(path.join(candidate, 'gitopshq.yaml')).then(() => true, () => false)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`demo-repo: no demo/gitopshq.yaml found above ${__dirname}`);
  }
}

/** The identity of the prepared repository (`git config user.*`): a member of team devops. */
const DEMO_IDENTITY = Object.freeze({ name: 'Dana Developer', email: 'dana@example.com' });

const PEOPLE = {
  dana: { name: 'Dana Developer', email: 'dana@example.com', tz: '+0100' }, // devops
  omar: { name: 'Omar Haddad', email: 'omar@example.com', tz: '+0200' }, // devops
  sam: { name: 'Sam Okafor', email: 'sam@example.com', tz: '+0000' }, // sre
  sue: { name: 'Sue Lindqvist', email: 'sue@example.com', tz: '+0100' }, // sre
};

const RELEASE_FILE = '.gitopshq/releases/rel_01M7YXBA51KQHFN5TEW15CYEWB.yaml';
const DEV_RELEASE_FILE = '.gitopshq/releases/rel_01M80Q3F7RZ2D9WGKX4T6B8HNC.yaml';
const PRODUCTION_RELEASE_FILE = '.gitopshq/releases/rel_01M82J5V0T9Q3XKD7F1M4PR6ZA.yaml';
/** The day the release files' timestamps are written on; they are shifted to the day of their commit. */
const RELEASE_FILE_DAY = '2026-11-21';

/** `tag: "<from>"` → `tag: "<to>"` in each file. */
function bumpTag(files, from, to) {
  return files.map((file) => ({ file, from: `tag: "${from}"`, to: `tag: "${to}"` }));
}

const LEDGER_WORKLOAD = `
    # Runs in staging and production only: it has no base layer and no values/dev files,
    # so it is "not bound" in dev.
    - name: ledger-worker
      chart: charts/ledger-worker
      values:
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
      kube:
        kind: StatefulSet
        name: ledger-worker
        selector:
          app: ledger
          component: worker
`;

const SVC_VARIABLES = `
svc:                                   # tenant -> environment -> workload -> variables
  acme:
    production:
      payment-api:
        DATABASE_MAX_CONNECTIONS:
          value: 400
          description: acme's peak traffic needs a bigger pool than the production default.
  globex:
    staging:
      checkout-web: { REPLICA_COUNT: 1 }
`;

/**
 * The history of `main`, oldest first. Each commit declares what it changed compared with the one
 * before it:
 *   add:    paths (a folder ends with '/') that first appear in this commit;
 *   edit:   text replacements { file, from, to }: the commit turned `from` into `to` (`to` must occur
 *           exactly once in the file as it is after this commit);
 *   deploy: the (tenant, env) pairs whose deployed branch points at this commit;
 *   release: the release file this commit records, with the commits its `base` and `head` name.
 * The first commit holds whatever is left once every later commit is undone.
 * `daysAgo` + `at` (UTC) give the author and committer date, relative to today.
 */
const HISTORY = [
  {
    key: 'scaffold', by: 'dana', daysAgo: 13, at: '08:14',
    message: 'Scaffold payment-platform: manifest, charts and values for payment-api and checkout-web',
  },
  {
    key: 'ledger-worker', by: 'sam', daysAgo: 12, at: '15:40',
    message: 'Add ledger-worker StatefulSet to staging and production',
    add: ['charts/ledger-worker/', 'values/staging/ledger-worker.yaml', 'values/production/ledger-worker.yaml'],
    edit: [{ file: 'gitopshq.yaml', from: '', to: LEDGER_WORKLOAD }],
  },
  {
    key: 'tenant-overrides', by: 'sue', daysAgo: 11, at: '10:05',
    message: 'Add acme and globex overrides (host names, regions, pool sizes)',
    add: [
      'values/staging/globex/checkout-web.yaml',
      'values/production/acme/payment-api.yaml',
      'values/production/acme/ledger-worker.yaml',
      'values/production/globex/payment-api.yaml',
      'values/production/globex/checkout-web.yaml',
    ],
    edit: [{ file: '.gitopshq/variables.yaml', from: '', to: SVC_VARIABLES }],
  },
  {
    key: 'provider-secret', by: 'dana', daysAgo: 9, at: '13:22',
    message: 'Add PAYMENT_PROVIDER_API_KEY secret and pass it to payment-api',
    edit: [
      {
        file: '.gitopshq/variables.yaml', from: '',
        to: '  PAYMENT_PROVIDER_API_KEY:\n    secret: true\n'
          + "    description: Live API key of the payment provider. Supplied at delivery from the cluster's secret store.\n",
      },
      {
        file: '.gitopshq/variables.yaml', from: '',
        to: '    PAYMENT_PROVIDER_API_KEY:\n      value: sandbox-7Qm2Xv9LrT4nB8cK\n      secret: true\n'
          + '      description: Sandbox key of the payment provider (test mode, no real money).\n',
      },
      { file: 'values/base/payment-api.yaml', from: '', to: '  paymentProvider:\n    apiKey: "{{hq.var.PAYMENT_PROVIDER_API_KEY}}"\n' },
      { file: 'charts/payment-api/values.yaml', from: '', to: '    apiKey: ""\n' },
      {
        file: 'charts/payment-api/templates/deployment.yaml', from: '',
        to: '            - name: PAYMENT_PROVIDER_API_KEY\n              value: {{ .Values.config.paymentProvider.apiKey | quote }}\n',
      },
      { file: 'charts/payment-api/Chart.yaml', from: '\nversion: 0.4.0\n', to: '\nversion: 0.4.1\n' },
    ],
  },
  {
    key: 'bump-2.4.0', by: 'omar', daysAgo: 8, at: '08:48',
    message: 'Bump payment-api to 2.4.0 and checkout-web to 1.7.2 in every environment',
    edit: [
      { file: 'charts/payment-api/Chart.yaml', from: '\nversion: 0.4.1\n', to: '\nversion: 0.5.0\n' },
      { file: 'charts/payment-api/Chart.yaml', from: 'appVersion: "2.3.0"', to: 'appVersion: "2.4.0"' },
      { file: 'charts/checkout-web/Chart.yaml', from: '\nversion: 0.2.4\n', to: '\nversion: 0.3.0\n' },
      { file: 'charts/checkout-web/Chart.yaml', from: 'appVersion: "1.7.0"', to: 'appVersion: "1.7.2"' },
      ...bumpTag(['charts/payment-api/values.yaml', 'values/dev/payment-api.yaml',
        'values/staging/payment-api.yaml', 'values/production/payment-api.yaml'], '2.3.0', '2.4.0'),
      ...bumpTag(['charts/checkout-web/values.yaml', 'values/dev/checkout-web.yaml',
        'values/staging/checkout-web.yaml', 'values/production/checkout-web.yaml'], '1.7.0', '1.7.2'),
    ],
    // staging ran this commit until the release below replaced it (the release's `base`)
  },
  {
    key: 'acme-headroom', by: 'sam', daysAgo: 7, at: '16:30',
    message: "production: more payment-api headroom for acme's peak hours",
    edit: [{
      file: 'values/production/acme/payment-api.yaml',
      from: '  minReplicas: 4\n  maxReplicas: 12\n', to: '  minReplicas: 6\n  maxReplicas: 16\n',
    }],
    deploy: [['acme', 'production']],
  },
  {
    key: 'staging-2.4.1', by: 'omar', daysAgo: 5, at: '09:12',
    message: 'staging: payment-api 2.4.1 (idempotency-key fix, INC-2291)',
    edit: bumpTag(['values/staging/payment-api.yaml'], '2.4.0', '2.4.1'),
    deploy: [['acme', 'staging'], ['globex', 'staging']],
  },
  {
    key: 'release-staging', by: 'omar', daysAgo: 5, at: '13:06',
    message: 'Release rel_01M7YXBA51KQHFN5TEW15CYEWB deployed to staging: payment-api 2.4.1 to staging (idempotency-key fix)',
    add: [RELEASE_FILE],
    release: { file: RELEASE_FILE, base: 'bump-2.4.0', head: 'staging-2.4.1' },
  },
  {
    key: 'dev-2.5.0', by: 'dana', daysAgo: 3, at: '09:20',
    message: 'dev: payment-api 2.5.0 and checkout-web 1.8.0 with Apple Pay',
    edit: [
      ...bumpTag(['values/dev/payment-api.yaml'], '2.4.0', '2.5.0'),
      ...bumpTag(['values/dev/checkout-web.yaml'], '1.7.2', '1.8.0'),
      { file: 'values/dev/checkout-web.yaml', from: '', to: 'features:\n  applePay: true\n\n' },
    ],
    deploy: [['acme', 'dev'], ['globex', 'dev']],
  },
  {
    key: 'staging-tuning', by: 'sue', daysAgo: 1, at: '14:45',
    message: 'staging: ledger-worker memory limit 1Gi, new checkout for globex',
    edit: [
      { file: 'values/staging/ledger-worker.yaml', from: '', to: '\nresources:\n  limits:\n    memory: 1Gi\n' },
      { file: 'values/staging/globex/checkout-web.yaml', from: '', to: '\nfeatures:\n  newCheckout: true\n' },
    ],
    // not deployed: staging drifts (both tenants) from here on
  },
  // Release files recorded last, so that every commit before keeps its content and id.
  {
    key: 'release-dev', by: 'dana', daysAgo: 1, at: '16:10',
    message: 'Release rel_01M80Q3F7RZ2D9WGKX4T6B8HNC deployed to dev: payment-api 2.5.0 and checkout-web 1.8.0 with Apple Pay',
    add: [DEV_RELEASE_FILE],
    release: { file: DEV_RELEASE_FILE, base: 'bump-2.4.0', head: 'dev-2.5.0' },
  },
  {
    key: 'release-production', by: 'omar', daysAgo: 1, at: '15:30',
    message: 'release(production): Onboard globex in production (payment-api, checkout-web, ledger-worker) [rel_01M82J5V0T9Q3XKD7F1M4PR6ZA]',
    add: [PRODUCTION_RELEASE_FILE],
    // globex was never deployed in production: no base; the release carries main's tip at the time.
    release: { file: PRODUCTION_RELEASE_FILE, base: null, head: 'staging-tuning' },
  },
  {
    // An approval counts only when its approver's own commit recorded it, touching nothing else (docs/releases.md, "Trust").
    key: 'approve-production', by: 'sam', daysAgo: 1, at: '16:45',
    message: 'release(production): approve: Onboard globex in production (payment-api, checkout-web, ledger-worker) [rel_01M82J5V0T9Q3XKD7F1M4PR6ZA]',
    edit: [{
      file: PRODUCTION_RELEASE_FILE,
      from: 'approvals: []\n',
      to: 'approvals:\n  - { by: { name: Sam Okafor, email: sam@example.com }, decision: approve, at: 2026-11-21T16:40:00Z, comment: "Globex overrides match what their ops team asked for." }\n',
    }],
  },
];

// ---------------------------------------------------------------------------------------------
// Content of every commit

/** Reads every file under `root` (skipping .git) into a Map of POSIX relative path → Buffer. */
async function readTree(root) {
  const files = new Map();
  async function walk(rel) {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== '.git' && entry.name !== 'node_modules') await walk(child);
      } else if (entry.isFile()) {
        files.set(child, await fs.readFile(path.join(root, child)));
      }
    }
  }
  await walk('');
  return files;
}

function countOccurrences(text, needle) {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}

/** Undoes one commit: returns the tree as it was before `commit`, given the tree after it. */
function undo(commit, after) {
  const before = new Map(after);
  for (const { file, from, to } of commit.edit ?? []) {
    const content = before.get(file);
    if (content === undefined) throw new Error(`demo history "${commit.key}": ${file} does not exist`);
    const text = content.toString('utf8');
    const n = countOccurrences(text, to);
    if (n !== 1) {
      throw new Error(`demo history "${commit.key}": expected ${JSON.stringify(to)} once in ${file}, found it ${n} times (was demo/ edited?)`);
    }
    before.set(file, Buffer.from(text.replace(to, () => from), 'utf8'));
  }
  for (const added of commit.add ?? []) {
    const matched = [...before.keys()].filter((p) => (added.endsWith('/') ? p.startsWith(added) : p === added));
    if (matched.length === 0) throw new Error(`demo history "${commit.key}": nothing in demo/ matches ${added}`);
    for (const p of matched) before.delete(p);
  }
  return before;
}

/** The tree of every commit in HISTORY, oldest first, derived from the final tree. */
function treesOf(finalTree) {
  const trees = new Array(HISTORY.length);
  trees[HISTORY.length - 1] = finalTree;
  for (let i = HISTORY.length - 1; i > 0; i--) trees[i - 1] = undo(HISTORY[i], trees[i]);
  return trees;
}

// ---------------------------------------------------------------------------------------------
// Dates, hashes, release

const DAY = 24 * 60 * 60 * 1000;

function startOfUtcDay(ms) {
  return Math.floor(ms / DAY) * DAY;
}

/** Milliseconds of a commit's date: `daysAgo` days before today, at `at` (UTC). */
function commitTime(commit, nowMs) {
  const [h, m] = commit.at.split(':').map(Number);
  return startOfUtcDay(nowMs) - commit.daysAgo * DAY + (h * 60 + m) * 60 * 1000;
}

/** Git's object id of a blob with this content (what `git hash-object` prints). */
function blobId(content) {
  return crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * Makes a release file true to this repository: `base`/`bases`, `head`, `deploy.commit(s)` name the
 * real commits, each change's `blob` is the path's full blob id at `head`, and the timestamps move
 * (whole days) from RELEASE_FILE_DAY to the day the release was recorded.
 */
function fillRelease(content, { baseSha, headSha, headTree, dayShiftMs }) {
  let text = content.toString('utf8');
  text = text.replace(/^base: .*$/m, `base: ${baseSha}`);
  text = text.replace(/^bases: .*$/m, (line) => line.replace(/: [0-9a-f]{40}\b/g, `: ${baseSha}`));
  text = text.replace(/^head: .*$/m, `head: ${headSha}`);
  // A release not deployed yet keeps `commit: null`.
  text = text.replace(/^deploy: .*$/m, (line) => line.replace(/\b[0-9a-f]{40}\b/g, headSha));
  text = text.replace(/(path: ([^,\s}]+),[^}\n]*?blob: )[0-9a-f]+/g, (whole, prefix, file) => {
    const blob = headTree.get(file);
    if (!blob) throw new Error(`demo release: ${file} does not exist at head`);
    return prefix + blobId(blob);
  });
  text = text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\b/g,
    (iso) => new Date(Date.parse(iso) + dayShiftMs).toISOString().replace('.000Z', 'Z'));
  return Buffer.from(text, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Git

/** An environment free of the caller's Git state and configuration (global and system). */
function gitEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = os.devNull;
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

const GIT_FLAGS = [
  '-c', 'init.defaultBranch=main',
  '-c', 'commit.gpgsign=false',
  '-c', 'core.autocrlf=false',
  '-c', 'gc.auto=0',
  '-c', `user.name=${DEMO_IDENTITY.name}`,
  '-c', `user.email=${DEMO_IDENTITY.email}`,
];

async function git(dir, args, { env, input } = {}) {
  const options = { cwd: dir, env: env ?? gitEnv(), maxBuffer: 16 * 1024 * 1024 };
  if (input === undefined) {
    const { stdout } = await execFileAsync('git', [...GIT_FLAGS, ...args], options);
    return stdout.trim();
  }
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...GIT_FLAGS, ...args], options, (err, stdout) =>
      (err ? reject(err) : resolve(stdout.trim())));
    child.stdin.end(input);
  });
}

/**
 * Makes the files of `dir` go from tree `before` to tree `after`. With `before` null (the first
 * commit), every file of `after` is written and the `stale` paths that `after` lacks are removed.
 */
async function writeFiles(dir, before, after, stale = []) {
  for (const [file, content] of after) {
    const old = before?.get(file);
    if (old !== undefined && old.equals(content)) continue;
    const target = path.join(dir, ...file.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
  for (const file of before ? before.keys() : stale) {
    if (!after.has(file)) await fs.rm(path.join(dir, ...file.split('/')), { force: true });
  }
}

/**
 * Builds the demo history in `dir` (created if missing; it must be empty or hold a plain copy of
 * demo/, without .git). Leaves `main` checked out with a clean working tree equal to demo/ (the
 * release file gets real commit ids, blob ids and dates), the local identity DEMO_IDENTITY and the
 * deployed branches.
 */
async function buildHistory(dir, options = {}) {
  const source = options.source ?? await defaultSource();
  const nowMs = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (Number.isNaN(nowMs)) throw new Error('buildHistory: options.now is not a valid date');

  await fs.mkdir(dir, { recursive: true });
  if (await fs.stat(path.join(dir, '.git')).then(() => true, () => false)) {
    throw new Error(`buildHistory: ${dir} is already a Git repository`);
  }

  const finalTree = await readTree(source);
  const trees = treesOf(finalTree);
  const indexOf = new Map(HISTORY.map((c, i) => [c.key, i]));
  const releases = HISTORY.filter((c) => c.release);
  const needShaNow = new Set(releases.flatMap((c) => [c.release.base, c.release.head]));

  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['config', 'user.name', DEMO_IDENTITY.name]);
  await git(dir, ['config', 'user.email', DEMO_IDENTITY.email]);

  const shas = new Map();
  let previous = null;
  for (let i = 0; i < HISTORY.length; i++) {
    const commit = HISTORY[i];
    const tree = new Map(trees[i]);
    for (const recorder of releases) {
      const { file, base, head } = recorder.release;
      if (!tree.has(file)) continue;
      tree.set(file, fillRelease(tree.get(file), {
        baseSha: base ? shas.get(base) : 'null',
        headSha: shas.get(head),
        headTree: trees[indexOf.get(head)],
        dayShiftMs: startOfUtcDay(commitTime(recorder, nowMs)) - Date.parse(`${RELEASE_FILE_DAY}T00:00:00Z`),
      }));
    }
    await writeFiles(dir, previous, tree, [...finalTree.keys()]);
    previous = tree;

    const person = PEOPLE[commit.by];
    const date = `${Math.floor(commitTime(commit, nowMs) / 1000)} ${person.tz}`;
    const env = {
      ...gitEnv(),
      GIT_AUTHOR_NAME: person.name, GIT_AUTHOR_EMAIL: person.email, GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: person.name, GIT_COMMITTER_EMAIL: person.email, GIT_COMMITTER_DATE: date,
    };
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '--no-verify', '-m', commit.message], { env });
    if (needShaNow.has(commit.key)) shas.set(commit.key, await git(dir, ['rev-parse', 'HEAD']));
  }

  // Every commit id, read once at the end.
  const all = (await git(dir, ['rev-list', '--reverse', 'main'])).split('\n');
  const commits = HISTORY.map((c, i) => ({
    key: c.key,
    sha: all[i],
    subject: c.message,
    author: { name: PEOPLE[c.by].name, email: PEOPLE[c.by].email },
    date: new Date(commitTime(c, nowMs)).toISOString(),
  }));

  const deployed = {};
  HISTORY.forEach((c, i) => {
    for (const [tenant, env] of c.deploy ?? []) deployed[`gitopshq/deployed/${tenant}/${env}`] = all[i];
  });
  await git(dir, ['update-ref', '--stdin'], {
    input: Object.entries(deployed).map(([branch, sha]) => `create refs/heads/${branch} ${sha}\n`).join(''),
  });
  return { commits, deployed, identity: { ...DEMO_IDENTITY } };
}

/**
 * Copies demo/ into a fresh temporary folder (or `options.dir`, which must be empty or absent) and
 * builds the demo history there. `cleanup()` removes that folder.
 */
async function prepareDemoRepo(options = {}) {
  const dir = options.dir
    ? path.resolve(options.dir)
    : await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-demo-'));
  if (options.dir) {
    await fs.mkdir(dir, { recursive: true });
    if ((await fs.readdir(dir)).length > 0) throw new Error(`prepareDemoRepo: ${dir} is not empty`);
  }
  const cleanup = () => fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  try {
    const history = await buildHistory(dir, { source: options.source, now: options.now });
    return { dir, cleanup, ...history };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

module.exports = { prepareDemoRepo, buildHistory, DEMO_IDENTITY, HISTORY };
