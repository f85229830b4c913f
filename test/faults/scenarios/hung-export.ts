import type { Scenario } from '../scenario.ts';
export const hungExport: Scenario = () => Promise.reject(new Error('todo'));
