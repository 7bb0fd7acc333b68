/** Tells open lists that tasks changed elsewhere on the page (the chat box, a next occurrence arriving). */
const TASKS_CHANGED = 'todo:changed';

export function announceTasksChanged(): void {
  window.dispatchEvent(new Event(TASKS_CHANGED));
}

/** Calls `listener` on each announcement; returns the function that stops listening. */
export function onTasksChanged(listener: () => void): () => void {
  window.addEventListener(TASKS_CHANGED, listener);
  return () => window.removeEventListener(TASKS_CHANGED, listener);
}
