/**
 * Which strings must be quoted so that every YAML reader of Kubernetes manifests reads them back as
 * strings: go-yaml v2 (sigs.k8s.io/yaml: kubectl, the apiserver), go-yaml v3 and kyaml (kustomize),
 * and the `yaml` package in YAML 1.1 and 1.2 mode. Each reader resolves a few more plain scalars than
 * the others, so the union is quoted:
 * - YAML 1.1 booleans and nulls, including `y`/`n` (go-yaml v2) and `=`/`<<` (value and merge keys);
 * - numbers in any base any of them accepts: `0o17` (1.2 core), `017`, `0b101`, `1_000`, `0x_1`
 *   (1.1, and Go's strconv with base 0 after go-yaml v2 drops the underscores), hex floats, 1.1's
 *   sexagesimal `1:30`, `.inf`/`.nan`;
 * - timestamps (`2001-12-14`), which 1.1 readers may turn into dates.
 */
const WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|=|<<)$/;
const INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const HEX_FLOAT = /^[-+]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+$/;
const SEXAGESIMAL = /^[-+]?[0-9][0-9]*(?::[0-5]?[0-9])+(?:\.[0-9]*)?$/;
const SPECIAL_FLOAT = /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

export function needsQuotes(s: string): boolean {
  if (s === '' || WORDS.test(s) || SPECIAL_FLOAT.test(s) || TIMESTAMP.test(s)) return true;
  if (!/^[-+.0-9]/.test(s)) return false;
  const t = s.replace(/_/g, '');
  return INT.test(t) || FLOAT.test(t) || HEX_FLOAT.test(t) || SEXAGESIMAL.test(t);
}
