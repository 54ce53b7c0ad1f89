import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerCompute } from './compute.js';
import { registerGate } from './gate.js';
import { registerGenerate } from './generate.js';
import { registerLoad } from './load.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerShadow } from './shadow.js';
import { registerValidate } from './validate.js';

/** Every command of `stress`, each in its own file under commands/. */
export function registerCommands(program: Command): void {
  registerGenerate(program);
  registerCompute(program);
  registerLoad(program);
  registerRun(program);
  registerReport(program);
  registerAudit(program);
  registerValidate(program);
  registerShadow(program);
  registerGate(program);
}
