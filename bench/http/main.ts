/** `node dist/bench/http/main.js [--quick]`: runs the HTTP benchmarks alone and prints the section. */
import { runHttpBench } from './index.js';

const quick = process.argv.includes('--quick');
runHttpBench({ quick, log: line => process.stderr.write(line + '\n') })
  .then(md => { process.stdout.write(md); })
  .catch(e => { process.stderr.write(`http bench failed: ${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; });
