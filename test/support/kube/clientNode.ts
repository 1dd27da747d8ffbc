// Load the real @kubernetes/client-node (ESM-only) from tests compiled to CommonJS. tsc would turn
// `await import()` into require(), which only works where Node supports require(esm); a Function
// keeps it a true dynamic import on every Node 20.
export type ClientNode = typeof import('@kubernetes/client-node');

const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export async function loadClientNode(): Promise<ClientNode> {
  return (await dynamicImport('@kubernetes/client-node')) as ClientNode;
}
