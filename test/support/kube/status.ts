// The `Status` objects the API server answers errors with: clients read `reason` and `code`, kubectl
// prints `message` ("Error from server (Forbidden): ...").

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusObject['details'],
  ) {
    super(message);
  }

  toStatus(): StatusObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export function forbidden(user: string, verb: string, group: string, resource: string, namespace: string | undefined, name?: string): ApiError {
  const what = name ? `${resource} "${name}"` : resource;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return new ApiError(403, 'Forbidden', `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
    { ...(name ? { name } : {}), group, kind: resource });
}

export const notFound = (group: string, resource: string, name: string) =>
  new ApiError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, group, kind: resource });

export const noSuchPath = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const expired = (message: string) => new ApiError(410, 'Expired', message);
