/** Field paths as the API server prints them (k8s.io/apimachinery/pkg/util/validation/field). */

export function annotationPath(key: string): string {
  return `metadata.annotations[${key}]`;
}

export function rulePath(ruleIndex: number): string {
  return `spec.rules[${ruleIndex}]`;
}

export function httpPath(ruleIndex: number, pathIndex: number): string {
  return `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
}

export function tlsPath(tlsIndex: number): string {
  return `spec.tls[${tlsIndex}]`;
}
