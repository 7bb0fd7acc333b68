'use client';

import { createContext, useContext } from 'react';
import type { Task } from './types';

/** What completing a parent does with its open subtasks: the `?subtasks=` of the complete route. */
export type SubtaskChoice = 'complete' | 'leave';

/**
 * Asks the user whether completing `task` completes its `open` subtasks too; null when they cancel.
 * One dialog per page (components/subtask-choice-dialog.tsx provides it), whichever view asks.
 */
export type AskSubtaskChoice = (task: Task, open: number) => Promise<SubtaskChoice | null>;

export const SubtaskChoiceContext = createContext<AskSubtaskChoice | null>(null);

export function useAskSubtaskChoice(): AskSubtaskChoice {
  const ask = useContext(SubtaskChoiceContext);
  if (!ask) throw new Error('useAskSubtaskChoice outside SubtaskChoiceProvider');
  return ask;
}
