/** The exact critical path of a trace (`walk.ts`) and how it is summed up (`summary.ts`). */
export { criticalPath, endTask, type CriticalPathOptions } from './walk';
export { criticalPathLine, criticalShare } from './summary';
