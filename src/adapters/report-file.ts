/** Writes a replay report to the file `--output` names; a failure is a sentence naming the file. */
import { writeFileSync } from 'node:fs';
import { fileProblem } from './file-problem.js';

export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
}

export function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new ReportFileError(`cannot write the report to ${path}: ${fileProblem(err)}`);
  }
}
