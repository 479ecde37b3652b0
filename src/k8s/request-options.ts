import { Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/**
 * Per-call options for the typed clients that abort the HTTP request when `signal` fires.
 * client-node 2.x has no timeout setting, but its fetch passes the request context's signal on
 * (node_modules/@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js). Without one, a
 * request to an API server that stopped answering hangs for undici's 300 s header timeout.
 */
export function abortOn(signal: AbortSignal, options?: ConfigurationOptions): ConfigurationOptions {
  const middleware = {
    pre: (context: RequestContext): Observable<RequestContext> => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext): Observable<ResponseContext> => new Observable(Promise.resolve(context)),
  };
  return { ...options, middleware: [...(options?.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
}
