import type { BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [];
