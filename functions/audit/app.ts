import { createEventFunctionApp, type EventDeps, type ParsedEvent, TOPICS } from '@todo/core';
import { auditRecorder } from '@todo/core/audit';

/**
 * Who did it and to what: the member who made a task change (the event's actor; its creator on events
 * from before actors were recorded), the producing function for system events. The entry belongs to the
 * task's creator (`user_id`), as before sharing.
 */
function describe(parsed: ParsedEvent) {
  switch (parsed.type) {
    case 'TaskCreated.v1':
    case 'TaskUpdated.v1':
    case 'TaskCompleted.v1':
    case 'TaskDeleted.v1':
      return {
        user_id: parsed.data.user_id,
        actor: `user:${parsed.data.actor_id ?? parsed.data.user_id}`,
        entity_id: parsed.data.task.id,
        before: parsed.data.previous,
        after: parsed.type === 'TaskDeleted.v1' ? null : parsed.data.task,
      };
    case 'RecurringTaskInstanceCreated.v1':
      return {
        user_id: parsed.data.user_id,
        actor: `system:${parsed.event.source}`,
        entity_id: parsed.data.task.id,
        before: null,
        after: parsed.data.task,
      };
    case 'ReminderDue.v1':
      return {
        user_id: parsed.data.user_id,
        actor: `system:${parsed.event.source}`,
        entity_id: parsed.data.task_id,
        before: null,
        after: parsed.data,
      };
  }
}

/** audit: every event on every topic into the audit log, one entry per event (idempotent by event id). */
export default function auditApp(deps: EventDeps) {
  // Deliveries that arrive together (a relay round; daprd, one per partition) share one insert.
  const record = auditRecorder(deps.db);
  async function recordEvent(parsed: ParsedEvent): Promise<void> {
    await record({
      event_id: parsed.event.id,
      event_type: parsed.type,
      occurred_at: parsed.event.time,
      ...describe(parsed),
    });
  }
  return createEventFunctionApp('audit', deps, {
    [TOPICS.taskEvents]: recordEvent,
    [TOPICS.taskUpdates]: recordEvent,
    [TOPICS.reminders]: recordEvent,
  });
}
