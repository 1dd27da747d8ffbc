// Where each resource type lives in the API, and the names its errors use ("list pods",
// "watch deployments.apps"), as kubectl and the server's Forbidden message spell them.
import type { ResourceType } from '../../core/cluster/connections';

export interface ResourceSpec {
  type: ResourceType;
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** `pods`, `deployments.apps`, `applications.argoproj.io`. */
  resource: string;
  /** Served only by some clusters: asked of discovery first (Argo CD). */
  optional: boolean;
}

function spec(type: ResourceType, group: string, version: string, kind: string, optional = false): ResourceSpec {
  return { type, group, version, plural: type, kind, resource: group === '' ? type : `${type}.${group}`, optional };
}

export const RESOURCES: Readonly<Record<ResourceType, ResourceSpec>> = {
  deployments: spec('deployments', 'apps', 'v1', 'Deployment'),
  statefulsets: spec('statefulsets', 'apps', 'v1', 'StatefulSet'),
  daemonsets: spec('daemonsets', 'apps', 'v1', 'DaemonSet'),
  replicasets: spec('replicasets', 'apps', 'v1', 'ReplicaSet'),
  pods: spec('pods', '', 'v1', 'Pod'),
  events: spec('events', '', 'v1', 'Event'),
  applications: spec('applications', 'argoproj.io', 'v1alpha1', 'Application', true),
};

export function groupVersionPath(resource: ResourceSpec): string {
  return resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
}

export function collectionPath(resource: ResourceSpec, namespace: string): string {
  return `${groupVersionPath(resource)}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
}

export function apiVersion(resource: ResourceSpec): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}
