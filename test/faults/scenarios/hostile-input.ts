import type { Scenario } from '../scenario.ts';
export const hostileInput: Scenario = () => Promise.reject(new Error('todo'));
