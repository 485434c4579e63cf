import type { JsonSchema } from './schema-values.ts';
import type { Parameter } from './parameters.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One documented operation, as much of it as a hostile client needs. */
export interface Operation {
  method: Method;
  path: string;
  /** `METHOD /path` as the document names it. */
  id: string;
  body: JsonSchema | undefined;
  pathParameters: Parameter[];
  queryParameters: Parameter[];
  /** The statuses the document declares for it. */
  statuses: Set<number>;
}

interface Document {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> }; parameters?: Parameter[]; responses: Record<string, unknown> }>>;
}

const METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Every operation of an OpenAPI document (as /openapi.json serves it). */
export function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => METHODS.has(method.toUpperCase()))
      .map(([method, operation]) => ({
        method: method.toUpperCase() as Method,
        path,
        id: `${method.toUpperCase()} ${path}`,
        body: operation.requestBody?.content['application/json']?.schema,
        pathParameters: (operation.parameters ?? []).filter((p) => p.in === 'path'),
        queryParameters: (operation.parameters ?? []).filter((p) => p.in === 'query'),
        statuses: new Set(Object.keys(operation.responses).map(Number)),
      })),
  );
}
