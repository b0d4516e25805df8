/** Every builtin's implementation, gathered from one file per family and keyed like the declarations. */
import type { BuiltinImpl } from './types.js';
import { impls as operatorsImpls } from './operators.js';
import { impls as aggregatesImpls } from './aggregates.js';
import { impls as stringsImpls } from './strings.js';
import { impls as regexImpls } from './regex.js';
import { impls as globImpls } from './glob.js';
import { impls as numbersImpls } from './numbers.js';
import { impls as typefnsImpls } from './typefns.js';
import { impls as objectsImpls } from './objects.js';
import { impls as arraysImpls } from './arrays.js';
import { impls as setsImpls } from './sets.js';
import { impls as jsonImpls } from './json.js';
import { impls as encodingImpls } from './encoding.js';
import { impls as graphImpls } from './graph.js';
import { impls as timeImpls } from './time.js';
import { impls as netImpls } from './net.js';
import { impls as cryptoImpls } from './crypto.js';
import { impls as jwtImpls } from './jwt.js';
import { impls as semverImpls } from './semver.js';
import { impls as unitsImpls } from './units.js';
import { impls as uuidImpls } from './uuid.js';
import { impls as randImpls } from './rand.js';
import { impls as geoImpls } from './geo.js';
import { impls as deviceImpls } from './device.js';
import { impls as runtimeImpls } from './runtime.js';
import { impls as windowImpls } from './window.js';

export const BUILTIN_IMPLS: Readonly<Record<string, BuiltinImpl>> = Object.assign(Object.create(null) as Record<string, BuiltinImpl>,
  operatorsImpls,
  aggregatesImpls,
  stringsImpls,
  regexImpls,
  globImpls,
  numbersImpls,
  typefnsImpls,
  objectsImpls,
  arraysImpls,
  setsImpls,
  jsonImpls,
  encodingImpls,
  graphImpls,
  timeImpls,
  netImpls,
  cryptoImpls,
  jwtImpls,
  semverImpls,
  unitsImpls,
  uuidImpls,
  randImpls,
  geoImpls,
  deviceImpls,
  runtimeImpls,
  windowImpls,
);
