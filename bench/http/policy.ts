/** The policy every HTTP scenario decides: role-based access with a decision document for proxies. */
import type { PlainObject } from '../../engine/value.js';

export const BENCH_POLICY: { source: string; data: PlainObject } = {
  source: `package bench

import rego.v1

default allow := false

allow if {
	some role in data.roles[input.user]
	some grant in data.grants[role]
	grant.action == input.action
	grant.type == input.resource.type
}

user := data.tokens[input.request.headers.authorization]

decision := {"allow": true, "headers": {"x-user": user, "x-user-roles": concat(",", data.roles[user])}} if {
	some role in data.roles[user]
	some grant in data.grants[role]
	grant.action == lower(input.request.method)
}

decision := {"allow": false, "status": 403} if not user
`,
  data: {
    tokens: { 'Bearer alice-token': 'alice', 'Bearer bob-token': 'bob' },
    roles: { alice: ['admin'], bob: ['reader'] },
    grants: {
      admin: [{ action: 'read', type: 'document' }, { action: 'write', type: 'document' }, { action: 'get', type: 'document' }],
      reader: [{ action: 'read', type: 'document' }, { action: 'get', type: 'document' }],
    },
  },
};

export const BENCH_INPUT = { user: 'bob', action: 'read', resource: { type: 'document', id: '42' } };
