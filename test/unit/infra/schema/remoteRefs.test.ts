// Remote $refs against a real HTTPS server on loopback with a self-signed certificate made for the
// test (never the internet): fetched once, cached in memory and on disk, and a clear message offline.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteRefs, SchemaCompiler } from '../../../../src/infra/schema/schemaValidator';

const DEFINITIONS = {
  definitions: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    container: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { $ref: '#/definitions/port' } } },
  },
};

function chartSchema(base: string): string {
  return JSON.stringify({
    $schema: 'https://json-schema.org/draft-07/schema',
    type: 'object',
    properties: {
      sidecar: { $ref: `${base}/k8s/_definitions.json#/definitions/container` },
      servicePort: { $ref: `${base}/k8s/_definitions.json#/definitions/port` },
    },
  });
}

describe('chart schemas: remote $refs over HTTPS', function () {
  this.timeout(30_000);
  let dir: string;
  let cert: string;
  let server: https.Server;
  let base: string;
  const requests: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitopshq-refs-'));
    const key = path.join(dir, 'key.pem');
    const crt = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(crt, 'utf8');
    server = https.createServer({ key: fs.readFileSync(key), cert }, (req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/k8s/_definitions.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(DEFINITIONS));
      } else if (req.url === '/moved.json') {
        res.writeHead(302, { location: '/k8s/_definitions.json' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://localhost:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    requests.length = 0;
  });

  it('resolves remote refs, validates through them, and fetches each document once', async () => {
    const refs = new RemoteRefs({ ca: cert, cacheDir: path.join(dir, 'cache-a') });
    const compiler = new SchemaCompiler({ load: (url) => refs.load(url) });
    const result = await compiler.compile('/c/a.json', chartSchema(base));
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(result.schema.validate({ sidecar: { name: 'log', port: 8080 }, servicePort: 80 }), []);
    assert.deepEqual(
      result.schema.validate({ sidecar: { port: 0 }, servicePort: 'http' }).map((e) => `${e.instancePath} ${e.keyword}`),
      ['/sidecar required', '/sidecar/port minimum', '/servicePort type'],
    );
    // Another chart with the same ref: from the cache.
    const other = await compiler.compile('/c/b.json', chartSchema(base).replace('"object"', '"object","title":"b"'));
    assert.ok(other.ok);
    assert.deepEqual(requests, ['/k8s/_definitions.json']);
    assert.equal(refs.fetches, 1);
  });

  it('follows a redirect and uses the disk cache when the server is gone', async () => {
    const cacheDir = path.join(dir, 'cache-b');
    const refs = new RemoteRefs({ ca: cert, cacheDir });
    const moved = chartSchema(base).replaceAll('/k8s/_definitions.json', '/moved.json');
    assert.ok((await new SchemaCompiler({ load: (url) => refs.load(url) }).compile('/c/m.json', moved)).ok);
    assert.deepEqual(requests, ['/moved.json', '/k8s/_definitions.json']);

    // A new session with the same cache folder, and a URL no server answers: read from disk.
    const offline = new RemoteRefs({ ca: cert, cacheDir });
    const result = await new SchemaCompiler({ load: (url) => offline.load(url) }).compile('/c/m.json', moved);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(offline.fetches, 0);
  });

  it('offline: a compile failure that names the URL and says why, tried again on the next compile', async () => {
    const refs = new RemoteRefs({ ca: cert, retryAfterMs: 0 });
    const compiler = new SchemaCompiler({ load: (url) => refs.load(url) });
    // A port nothing listens on (the server's own port, closed by a second server): connection refused.
    const closed = https.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadBase = `https://localhost:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await compiler.compile('/c/off.json', chartSchema(deadBase));
    assert.equal(result.ok, false);
    assert.equal(result.ok ? undefined : result.remote, true);
    assert.match(result.ok ? '' : result.message, new RegExp(`could not fetch the remote \\$ref ${deadBase}/k8s/_definitions\\.json \\(ECONNREFUSED: offline, or the host cannot be reached\\)`));
    await new Promise((r) => setTimeout(r, 10));
    await compiler.compile('/c/off.json', chartSchema(deadBase));
    assert.equal(refs.fetches, 2, 'a failed fetch is not kept: the next compile tries again');

    const notFound = await compiler.compile('/c/404.json', chartSchema(base).replaceAll('/k8s/_definitions.json', '/nope.json'));
    assert.match(notFound.ok ? '' : notFound.message, /could not fetch the remote \$ref https:\/\/localhost:\d+\/nope\.json \(HTTP 404\)/);
  });

  it('with remote refs turned off, says so instead of fetching', async () => {
    const compiler = new SchemaCompiler({ noLoadReason: 'the setting "gitopshq.schema.remoteRefs" is off.' });
    const result = await compiler.compile('/c/a.json', chartSchema(base));
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : result.message,
      /it has a remote \$ref to https:\/\/localhost:\d+\/k8s\/_definitions\.json, which is not fetched: the setting "gitopshq.schema.remoteRefs" is off\./,
    );
    assert.deepEqual(requests, []);
  });

  it('refuses plain http', async () => {
    const refs = new RemoteRefs();
    await assert.rejects(refs.load('http://localhost:1/x.json'), /only https:\/\/ references are/);
  });
});
