// The resources the fake API server knows, and the discovery documents kubectl and client-node read
// to map a kind to a URL. Shapes follow a real v1.32 API server (legacy, non-aggregated discovery:
// kubectl asks for the aggregated v2 form first and falls back to these when the answer is plain JSON).

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  /** Plural, as in the URL. */
  name: string;
  singularName: string;
  kind: string;
  listKind: string;
  namespaced: true;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const READ_VERBS = ['get', 'list', 'watch'];
const WRITE_VERBS = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function type(group: string, version: string, name: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group,
    version,
    name,
    singularName: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    verbs: [...READ_VERBS, ...WRITE_VERBS].sort(),
    ...extra,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('', 'v1', 'pods', 'Pod', { shortNames: ['po'], categories: ['all'] }),
  type('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  type('apps', 'v1', 'deployments', 'Deployment', { shortNames: ['deploy'], categories: ['all'] }),
  type('apps', 'v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: ['all'] }),
  type('apps', 'v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: ['all'] }),
  type('apps', 'v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: ['all'] }),
  type('argoproj.io', 'v1alpha1', 'applications', 'Application', { shortNames: ['app', 'apps'], categories: ['argo'] }),
];

export const ARGO_GROUP = 'argoproj.io';

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export interface DiscoveryOptions {
  /** Serve Argo CD's `applications` (argoproj.io/v1alpha1), as a cluster with Argo CD installed does. */
  argo: boolean;
}

export function servedTypes(options: DiscoveryOptions): ResourceType[] {
  return RESOURCE_TYPES.filter((t) => options.argo || t.group !== ARGO_GROUP);
}

export function findType(options: DiscoveryOptions, group: string, version: string, name: string): ResourceType | undefined {
  return servedTypes(options).find((t) => t.group === group && t.version === version && t.name === name);
}

export function versionInfo(): object {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-gitopshq-fake',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** GET /api */
export function coreVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** GET /apis */
export function groupList(options: DiscoveryOptions): object {
  const groups = new Map<string, string[]>();
  for (const t of servedTypes(options)) {
    if (t.group === '') continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => groupDocument(name, versions)),
  };
}

function groupDocument(name: string, versions: string[]): object {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** GET /apis/{group}: undefined when the group is not served. */
export function group(options: DiscoveryOptions, name: string): object | undefined {
  const versions = [...new Set(servedTypes(options).filter((t) => t.group === name).map((t) => t.version))];
  if (versions.length === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(name, versions) };
}

/** GET /api/v1 or /apis/{group}/{version}: undefined when not served. */
export function resourceList(options: DiscoveryOptions, groupName: string, version: string): object | undefined {
  const types = servedTypes(options).filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.name,
      singularName: t.singularName,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
      storageVersionHash: Buffer.from(`${t.group}/${t.version}/${t.kind}`).toString('base64').slice(0, 11),
    });
    // A status subresource, as the real workloads have; logs are served later (pods/log).
    if (t.group === 'apps' || t.name === 'pods') {
      resources.push({ name: `${t.name}/status`, singularName: '', namespaced: true, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupName === '' ? version : `${groupName}/${version}`, resources };
}
