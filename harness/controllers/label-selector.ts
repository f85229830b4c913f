// metav1.LabelSelector matching (matchLabels and matchExpressions), as the PV binder applies a
// claim's spec.selector to volume labels. An empty selector matches everything.
import type { V1LabelSelector } from '@kubernetes/client-node';

export function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (have[k] !== v) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const value = have[expr.key];
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        // An unknown operator is invalid; Kubernetes matches nothing with an invalid selector.
        return false;
    }
  }
  return true;
}
