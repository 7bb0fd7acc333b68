'use client';

import { type ReactNode, useCallback, useRef, useState } from 'react';
import { type AskSubtaskChoice, type SubtaskChoice, SubtaskChoiceContext } from '@/lib/subtask-choice';
import type { Task } from '@/lib/types';

interface Question {
  task: Task;
  open: number;
  answer(choice: SubtaskChoice | null): void;
}

/**
 * "Complete its N open subtasks too?" — a native modal <dialog> (as the project delete confirmation):
 * it takes focus, keeps it inside, and Escape cancels. Mounted once in the layout so the list, the
 * agenda views and the editor all ask the same way.
 */
export function SubtaskChoiceProvider({ children }: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [question, setQuestion] = useState<Question | null>(null);

  const ask = useCallback<AskSubtaskChoice>(
    (task, open) =>
      new Promise((resolve) => {
        setQuestion({ task, open, answer: resolve });
        // After React has rendered the question into the dialog.
        requestAnimationFrame(() => {
          if (!dialog.current?.open) dialog.current?.showModal();
        });
      }),
    [],
  );

  function answer(choice: SubtaskChoice | null) {
    question?.answer(choice);
    setQuestion(null);
    if (dialog.current?.open) dialog.current.close();
  }

  const n = question?.open ?? 0;
  const subtasks = `${n} open subtask${n === 1 ? '' : 's'}`;
  return (
    <SubtaskChoiceContext.Provider value={ask}>
      {children}
      <dialog
        ref={dialog}
        className="confirm"
        aria-modal="true"
        aria-labelledby="subtask-choice-title"
        aria-describedby="subtask-choice-task"
        // Escape (or the browser closing it): a cancel, nothing completed.
        onClose={() => question && answer(null)}
      >
        {question && (
          <div className="confirm-body">
            <h2 id="subtask-choice-title">Complete its {subtasks} too?</h2>
            <p id="subtask-choice-task">
              You are completing “{question.task.title}”. Its {subtasks} can be completed with it, or stay
              open.
            </p>
            <div className="row wrap">
              <button type="button" className="btn btn-primary" onClick={() => answer('complete')}>
                Complete all
              </button>
              <button type="button" className="btn" onClick={() => answer('leave')}>
                Only this task
              </button>
              <button type="button" className="btn" onClick={() => answer(null)}>
                Cancel
              </button>
            </div>
          </div>
        )}
      </dialog>
    </SubtaskChoiceContext.Provider>
  );
}
