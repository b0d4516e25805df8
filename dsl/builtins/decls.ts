/** Every builtin's declaration, gathered from one file per family. */
import type { BuiltinDecl } from './types.js';
import { decls as operatorsDecls } from './decls/operators.js';
import { decls as aggregatesDecls } from './decls/aggregates.js';
import { decls as stringsDecls } from './decls/strings.js';
import { decls as regexDecls } from './decls/regex.js';
import { decls as globDecls } from './decls/glob.js';
import { decls as numbersDecls } from './decls/numbers.js';
import { decls as typefnsDecls } from './decls/typefns.js';
import { decls as objectsDecls } from './decls/objects.js';
import { decls as arraysDecls } from './decls/arrays.js';
import { decls as setsDecls } from './decls/sets.js';
import { decls as jsonDecls } from './decls/json.js';
import { decls as encodingDecls } from './decls/encoding.js';
import { decls as graphDecls } from './decls/graph.js';
import { decls as timeDecls } from './decls/time.js';
import { decls as netDecls } from './decls/net.js';
import { decls as cryptoDecls } from './decls/crypto.js';
import { decls as jwtDecls } from './decls/jwt.js';
import { decls as semverDecls } from './decls/semver.js';
import { decls as unitsDecls } from './decls/units.js';
import { decls as uuidDecls } from './decls/uuid.js';
import { decls as randDecls } from './decls/rand.js';
import { decls as geoDecls } from './decls/geo.js';
import { decls as deviceDecls } from './decls/device.js';
import { decls as runtimeDecls } from './decls/runtime.js';
import { decls as windowDecls } from './decls/window.js';

export const BUILTIN_DECLS: readonly BuiltinDecl[] = [
  ...operatorsDecls,
  ...aggregatesDecls,
  ...stringsDecls,
  ...regexDecls,
  ...globDecls,
  ...numbersDecls,
  ...typefnsDecls,
  ...objectsDecls,
  ...arraysDecls,
  ...setsDecls,
  ...jsonDecls,
  ...encodingDecls,
  ...graphDecls,
  ...timeDecls,
  ...netDecls,
  ...cryptoDecls,
  ...jwtDecls,
  ...semverDecls,
  ...unitsDecls,
  ...uuidDecls,
  ...randDecls,
  ...geoDecls,
  ...deviceDecls,
  ...runtimeDecls,
  ...windowDecls,
];

/** Declarations by dotted name. */
export const BUILTINS_BY_NAME: ReadonlyMap<string, BuiltinDecl> = new Map(BUILTIN_DECLS.map(d => [d.name, d]));
