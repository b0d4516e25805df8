/** Policy loading: a store that swaps compiled generations atomically, fed by a directory or a signed bundle. */
export { PolicyStore, PolicyLoadError, StoreClosed, TooManyChanges, MAX_WAITING_CHANGES, type Generation, type LoadError } from './store.js';
export { readPolicyDirectory, loadDirectory, watchDirectory } from './directory.js';
export { BundlePoller, type PollOutcome } from './bundle.js';
export { signBundle, verifyBundle, SignatureError, SIGNATURES_FILE, type SignKey, type VerifyKey } from './signing.js';
export { readTar, readTarGz, writeTarGz, TarError } from './tar.js';
export { sourcesFromFiles, validPolicyId, type Sources } from './sources.js';
