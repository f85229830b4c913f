// k8s.io/api/authorization/v1 messages (authorization/v1/generated.proto): the reviews
// `kubectl auth can-i` sends (SelfSubjectAccessReview; SelfSubjectRulesReview for --list).
import { list, message } from '../schema.ts';
import { FieldSelectorRequirement, LabelSelectorRequirement, ObjectMeta } from './meta.ts';

const P = 'k8s.io.api.authorization.v1';

const ResourceAttributes = message(`${P}.ResourceAttributes`, {
  1: ['namespace', 'string'],
  2: ['verb', 'string'],
  3: ['group', 'string'],
  4: ['version', 'string'],
  5: ['resource', 'string'],
  6: ['subresource', 'string'],
  7: ['name', 'string'],
  8: ['fieldSelector', message(`${P}.FieldSelectorAttributes`, { 1: ['rawSelector', 'string'], 2: ['requirements', list(FieldSelectorRequirement)] })],
  9: ['labelSelector', message(`${P}.LabelSelectorAttributes`, { 1: ['rawSelector', 'string'], 2: ['requirements', list(LabelSelectorRequirement)] })],
});

const SubjectAccessReviewStatus = message(`${P}.SubjectAccessReviewStatus`, {
  1: ['allowed', 'bool', 'keep'],
  4: ['denied', 'bool'],
  2: ['reason', 'string'],
  3: ['evaluationError', 'string'],
});

export const SelfSubjectAccessReview = message(`${P}.SelfSubjectAccessReview`, {
  1: ['metadata', ObjectMeta],
  2: [
    'spec',
    message(`${P}.SelfSubjectAccessReviewSpec`, {
      1: ['resourceAttributes', ResourceAttributes],
      2: ['nonResourceAttributes', message(`${P}.NonResourceAttributes`, { 1: ['path', 'string'], 2: ['verb', 'string'] })],
    }),
  ],
  3: ['status', SubjectAccessReviewStatus],
});

const SubjectRulesReviewStatus = message(`${P}.SubjectRulesReviewStatus`, {
  1: [
    'resourceRules',
    list(message(`${P}.ResourceRule`, { 1: ['verbs', list('string')], 2: ['apiGroups', list('string')], 3: ['resources', list('string')], 4: ['resourceNames', list('string')] })),
  ],
  2: ['nonResourceRules', list(message(`${P}.NonResourceRule`, { 1: ['verbs', list('string')], 2: ['nonResourceURLs', list('string')] }))],
  3: ['incomplete', 'bool', 'keep'],
  4: ['evaluationError', 'string'],
});

export const SelfSubjectRulesReview = message(`${P}.SelfSubjectRulesReview`, {
  1: ['metadata', ObjectMeta],
  2: ['spec', message(`${P}.SelfSubjectRulesReviewSpec`, { 1: ['namespace', 'string'] })],
  3: ['status', SubjectRulesReviewStatus],
});
