import type { BuiltinImpl } from './types.js';

export const impls: Record<string, BuiltinImpl> = {};
