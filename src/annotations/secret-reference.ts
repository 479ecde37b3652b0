// The Secret an annotation names (`auth-tls-secret`, `proxy-ssl-secret`), looked up as the
// controller will: in the Ingress's own namespace only, as ingress-nginx does by default
// (`allow-cross-namespace-resources: false`,
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-cross-namespace-resources).
import type { Secret } from '../k8s/types.js';
import type { ParseContext } from './feature.js';
import { Unrenderable, type AnnotationReader } from './reader.js';

/**
 * The Secret named by `key`, or undefined when the annotation is not set. `{ secret: undefined }`:
 * the snapshot does not hold Secrets (an admission review without Secret access), so whether it
 * is usable is not known here; the controller always knows. Throws Unrenderable for a reference
 * into another namespace, or a Secret the snapshot should hold but does not.
 */
export function referencedSecret(read: AnnotationReader, key: string, context: ParseContext): { readonly secret: Secret | undefined; readonly name: string } | undefined {
  const ref = read.reference(key);
  if (!ref) return undefined;
  const namespace = ref.namespace ?? context.namespace;
  const name = `${namespace}/${ref.name}`;
  // '' = no Ingress namespace known (a catalog check without an object): nothing to compare.
  if (context.namespace !== '' && namespace !== context.namespace) {
    throw new Unrenderable(`annotation ${key} names Secret ${name} in another namespace; only Secrets in the Ingress's namespace (${context.namespace}) can be used, as ingress-nginx allows by default`, key);
  }
  const secret = context.cluster?.secret(namespace, ref.name);
  if (!secret && context.cluster?.covers('Secret')) throw new Unrenderable(`annotation ${key} names Secret ${name}, which does not exist`, key);
  return { secret, name };
}
