/**
 * Why a conformance case is not passing yet: a short, categorised reason for each entry of
 * known-failures.txt, so the list reads as a set of decisions rather than raw failure output.
 * Deliberate differences are documented in docs/language.md ("Differences from OPA").
 */
interface Rule { match: RegExp; why: string }

const RULES: Rule[] = [
  { match: /^graphql\//, why: 'not implemented: graphql.* builtins (skip tier: needs a GraphQL parser and schema checker)' },
  { match: /^providers-aws\//, why: 'not implemented: providers.aws.sign_req (skip tier: AWS SigV4 signing)' },
  { match: /^crypto(x509|parse)/, why: 'not implemented: X.509 / PKCS key and certificate parsing builtins (skip tier: Go x509 JSON shapes)' },
  { match: /^(netlookupipaddr|invalidkeyerror)\/|^withkeyword\/test-with-builtin-mock\.yaml#[67]$/, why: 'off by design: network builtins (http.send, net.lookup_ip_addr) are not available in pol (docs/language.md)' },
  { match: /^withkeyword\/test-with-builtin-mock\.yaml#24$/, why: 'differs: mocking a builtin by opa.runtime (arity 0) with an unsafe result; pol exposes pol.runtime/opa.runtime without host data' },
  { match: /^regometadata|^regoparsemodule\//, why: 'not implemented: rego.metadata.* and rego.parse_module (METADATA annotations and AST-as-data are not supported)' },
  { match: /^rendertemplate\//, why: 'not implemented: strings.render_template (Go text/template; optional in the catalogue)' },
  { match: /^negation\/test-not-body/, why: 'not supported: experimental "not { ... }" bodies and rego.v2 (not Rego v1)' },
  { match: /^comparisonexpr\/test-comparisonexpr-decimals/, why: 'differs: non-integers are float64 in pol; OPA compares decimals beyond float64 range/precision exactly (docs/language.md)' },
  { match: /^strings\/test-strings-0921/, why: 'differs: 2e308 overflows float64 to Infinity in pol; OPA keeps the arbitrary-precision decimal (docs/language.md)' },
  { match: /^time\/test-time-0947/, why: 'not implemented: test.sleep (a test-only builtin)' },
];

/** The categorised reason for a failing case, or undefined when no rule names it (a regression to look at). */
export function whyFailing(id: string): string | undefined {
  return RULES.find(r => r.match.test(id))?.why;
}
