// The fake cluster's GitOps controller against a real Git repository: a deployed branch that moves
// rolls the environment's Deployment to the values' image tag with the revision stamped (and the new
// ReplicaSet carries it, as the deployment controller copies annotations); an unchanged image only
// gets the stamp; an image the registry lacks fails to pull.
import * as assert from 'node:assert/strict';
import { startKubeApiServer, type KubeApiServer } from '../../../support/kube/apiServer';
import { GitOpsController, REVISION_ANNOTATION } from '../../../support/kube/gitopsController';
import { createTempRepo, runGit, type TempRepo } from '../../../support/tempGitRepo';

const MANIFEST = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
      cluster: { namespace: "shop-{tenant}" }
  tenants: [acme]
  workloads:
    - name: api
      chart: charts/api
      values: ["values/{env}/{workload}.yaml", "values/{env}/{tenant}/{workload}.yaml"]
    - name: web
      chart: charts/web
      values: ["values/{env}/{workload}.yaml"]
`;

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('fake cluster: GitOps controller following deployed branches', function () {
  this.timeout(20_000);
  let repo: TempRepo;
  let server: KubeApiServer;
  let controller: GitOpsController;

  beforeEach(async () => {
    repo = await createTempRepo({
      'gitopshq.yaml': MANIFEST,
      'charts/api/values.yaml': 'image:\n  repository: registry.example.com/api\n  tag: "1.0.0"\n',
      'charts/web/values.yaml': 'image:\n  tag: "3.0.0"\n',
      'values/dev/api.yaml': 'image:\n  tag: "1.1.0"\n',
      'values/dev/web.yaml': 'replicas: 1\n',
    });
    server = await startKubeApiServer({ stepMs: 10 });
    server.scenario.deployment('shop-acme', 'api', { image: 'registry.example.com/api:1.1.0', replicas: 1 });
    server.scenario.deployment('shop-acme', 'web', { image: 'registry.example.com/web:3.0.0', replicas: 1 });
  });

  afterEach(async () => {
    controller?.stop();
    await server.close();
    await repo.cleanup();
  });

  const deployment = (name: string) => server.store.get('deployments', 'shop-acme', name)! as Any;
  const until = async (probe: () => boolean, what: string) => {
    for (let i = 0; i < 800 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(probe(), what);
  };

  it('stamps what already runs, rolls what a moved branch changes, with the revision on the new ReplicaSet', async () => {
    const first = (await runGit(repo.dir, ['rev-parse', 'HEAD'])).trim();
    await runGit(repo.dir, ['branch', 'gitopshq/deployed/acme/dev', first]);
    controller = new GitOpsController(server.store, server.scenario, { repo: repo.dir, pollMs: 20, onError: (e) => console.error('controller', e) });
    controller.start();
    await until(() => deployment('api').metadata.annotations?.[REVISION_ANNOTATION] === first, 'api stamped');
    await until(() => deployment('web').metadata.annotations?.[REVISION_ANNOTATION] === first, 'web stamped');
    assert.equal(server.store.list('replicasets', 'shop-acme').length, 2, 'nothing rolled: the images already ran');

    const second = await repo.commit('api 1.2.0 for acme', { 'values/dev/acme/api.yaml': 'image:\n  tag: "1.2.0"\n' });
    await runGit(repo.dir, ['branch', '-f', 'gitopshq/deployed/acme/dev', second]);
    const progressing = () => (deployment('api').status?.conditions as Any[] | undefined)?.find((c) => c.type === 'Progressing');
    await until(() => deployment('api').spec.template.spec.containers[0].image.endsWith(':1.2.0') && progressing()?.reason === 'NewReplicaSetAvailable' && server.store.list('replicasets', 'shop-acme').length === 3, 'api rolled to 1.2.0');
    assert.equal(deployment('api').metadata.annotations?.[REVISION_ANNOTATION], second);
    const newest = server.store.list('replicasets', 'shop-acme').filter((rs) => rs.metadata.name.startsWith('api-')).find((rs) => (rs.metadata.annotations as Any)?.['deployment.kubernetes.io/revision'] === '2');
    assert.equal((newest?.metadata.annotations as Any)?.[REVISION_ANNOTATION], second, 'the deployment controller copied the stamp');
    assert.equal(deployment('web').spec.template.spec.containers[0].image, 'registry.example.com/web:3.0.0', 'web unchanged');
    await until(() => deployment('web').metadata.annotations?.[REVISION_ANNOTATION] === second, 'web only re-stamped');
    assert.equal(server.store.list('replicasets', 'shop-acme').filter((rs) => rs.metadata.name.startsWith('web-')).length, 1, 'web did not roll');
  });

  it('an image the registry lacks fails to pull', async () => {
    const sha = await repo.commit('a tag nobody pushed', { 'values/dev/api.yaml': 'image:\n  tag: "9.9.9-does-not-exist"\n' });
    await runGit(repo.dir, ['branch', 'gitopshq/deployed/acme/dev', sha]);
    controller = new GitOpsController(server.store, server.scenario, { repo: repo.dir, pollMs: 20, missingImages: /does-not-exist$/ });
    controller.start();
    const waiting = () => server.store.list('pods', 'shop-acme').map((p) => (p.status as Any)?.containerStatuses?.[0]?.state?.waiting?.reason as string | undefined);
    await until(() => waiting().includes('ImagePullBackOff'), `a pod in ImagePullBackOff (${waiting().join(', ')})`);
    assert.ok(server.store.list('events', 'shop-acme').some((e) => e.type === 'Warning' && String(e.message).includes('9.9.9-does-not-exist')));
  });
});
