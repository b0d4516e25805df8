import { T, type BuiltinDecl } from '../types.js';

const digest = (name: string, algo: string): BuiltinDecl => ({
  name, category: 'crypto',
  args: [{ name: 'x', type: T.str, description: 'input string' }],
  result: T.str,
  description: `Returns a string representing the input string hashed with the ${algo} function (lower-case hex).`,
  example: `${name}("lorem ipsum")`,
});

const hmac = (name: string, algo: string): BuiltinDecl => ({
  name, category: 'crypto',
  args: [
    { name: 'x', type: T.str, description: 'input string' },
    { name: 'key', type: T.str, description: 'key to use' },
  ],
  result: T.str,
  description: `Returns a string representing the ${algo} HMAC of the input message using the input key (lower-case hex).`,
  example: `${name}(input.body, "secret")`,
});

export const decls: BuiltinDecl[] = [
  digest('crypto.md5', 'MD5'),
  digest('crypto.sha1', 'SHA1'),
  digest('crypto.sha256', 'SHA256'),
  hmac('crypto.hmac.md5', 'MD5'),
  hmac('crypto.hmac.sha1', 'SHA1'),
  hmac('crypto.hmac.sha256', 'SHA256'),
  hmac('crypto.hmac.sha512', 'SHA512'),
  {
    name: 'crypto.hmac.equal', category: 'crypto',
    args: [
      { name: 'mac1', type: T.str, description: 'mac1 to compare' },
      { name: 'mac2', type: T.str, description: 'mac2 to compare' },
    ],
    result: T.bool,
    description: 'Returns a boolean representing the result of comparing two MACs for equality without leaking timing information.',
    example: 'crypto.hmac.equal(crypto.hmac.sha256(input.body, "secret"), input.signature)',
  },
];
