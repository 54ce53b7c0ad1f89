import type { Command } from 'commander';
import { registerCompute } from './compute.js';
import { registerGenerate } from './generate.js';
import { registerLoad } from './load.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';

/** Every command of `stress`, each in its own file under commands/. */
export function registerCommands(program: Command): void {
  registerGenerate(program);
  registerCompute(program);
  registerLoad(program);
  registerRun(program);
  registerReport(program);
}
