import {
  PasswordChange,
  PasswordResetConfirm,
  PasswordResetRequest,
  StreamQuery,
  StreamTicket,
  VerifyEmail,
} from '@todo/core/accounts/session-schemas';
import { ChatPreview, ChatReply, ChatRequest } from '@todo/core/assistant/chat-schema';
import { TOPICS, type Topic } from '@todo/core/events';
import {
  InvitationCreate,
  InvitationOut,
  InvitationParams,
  MemberList,
  MemberOut,
  MemberParams,
  MyInvitationList,
  RoleChange,
} from '@todo/core/projects/sharing-schemas';
import { QuickAddCreated, QuickAddParse, QuickAddRequest } from '@todo/core/quick-add/schema';
import {
  EndSeriesOut,
  RecurrencePreview,
  RecurrencePreviewQuery,
  SeriesOut,
  SeriesQuery,
  SkipOut,
} from '@todo/core/recurrence/series-schemas';
import {
  ListNotificationsQuery,
  NotificationOut,
  NotificationPage,
  SnoozeBody,
} from '@todo/core/reminders/notifications';
import { ReceiptList } from '@todo/core/reminders/receipts';
import { eventRoute } from '@todo/core/runtime/event-app';
import type { HttpRoute } from '@todo/core/runtime/routes';
import {
  CompleteTaskQuery,
  Credentials,
  IdParam,
  ListProjectsQuery,
  ListTasksQuery,
  Login,
  Me,
  ProjectCreate,
  ProjectList,
  ProjectOut,
  ProjectPatch,
  Session,
  TagCreate,
  TagList,
  TagRename,
  TagWithCount,
  TaskCreate,
  TaskOut,
  TaskPage,
  TaskPatch,
} from '@todo/core/schemas';
import {
  AgendaToday,
  AgendaTodayQuery,
  AgendaUpcoming,
  AgendaUpcomingQuery,
} from '@todo/core/tasks/agenda-schemas';
import {
  ExportQuery,
  IMPORT_BODIES,
  IMPORT_LIMITS,
  ImportQuery,
  ImportResult,
} from '@todo/core/transfer/export-schema';
import {
  CalendarFeedCreated,
  CalendarFeedOut,
  CalendarQuery,
  CalendarTokenParam,
} from './calendar-feed/schemas.ts';

/**
 * The one list of functions. Containers, Helm templates, KEDA objects, Dapr subscriptions, the gateway's
 * routes, the OpenAPI document and the embedded runner are all derived from it.
 */

/** A route: declared here once; its app registers a handler per operationId (core/src/runtime/routes.ts). */
export type { HttpMethod, HttpRoute } from '@todo/core/runtime/routes';

export interface Subscription {
  topic: string;
  /** The app route daprd delivers this topic's CloudEvents to. */
  route: string;
}

export interface Scaling {
  minReplicas: number;
  maxReplicas: number;
  /** Event functions: Kafka consumer lag per replica at which KEDA adds a replica. */
  lagThreshold?: number;
}

export interface FunctionSpec {
  name: string;
  /**
   * How it runs: `http` serves its catalog routes (core/src/runtime/run-function.ts), `event` its subscriptions,
   * `clock` the Dapr jobs and the outbox relay; `gateway` is the front door (functions/gateway/main.ts)
   * that forwards every `http` function's routes, the one public Service, reading no secrets.
   */
  kind: 'http' | 'event' | 'clock' | 'gateway';
  description: string;
  routes: readonly HttpRoute[];
  subscriptions: readonly Subscription[];
  scaling: Scaling;
  resources: { cpu: string; memory: string };
  /** The secrets it reads: its Deployment gets these and no other (platform/derive/model.ts checks them). */
  secrets: readonly SecretName[];
}

/**
 * A secret a function may read from its environment. DATABASE_URL is the app role's connection (DML
 * only; the migration Job alone has the owner's), APP_API_TOKEN Dapr's app token (platform/chart).
 */
export type SecretName =
  | 'DATABASE_URL'
  | 'JWT_SECRET'
  | 'APP_API_TOKEN'
  | 'RESEND_API_KEY'
  | 'OPENAI_API_KEY';

const small = { cpu: '50m', memory: '96Mi' };
// Every function the core runners start reads these (run-function.ts refuses to start without them);
// the ones with a daprd also read the app API token their internal routes check.
const appSecrets: SecretName[] = ['DATABASE_URL', 'JWT_SECRET'];
const daprSecrets: SecretName[] = [...appSecrets, 'APP_API_TOKEN'];
// HTTP functions idle at zero; the KEDA HTTP add-on's interceptor holds requests while one starts.
const httpScaling: Scaling = { minReplicas: 0, maxReplicas: 5 };
const byId = { params: IdParam };
/**
 * Event functions idle at zero and KEDA scales them on their consumer group's lag. Replicas beyond a
 * topic's partition count would sit idle (the chart caps maxReplicas at `kafka.partitions`, 6 by
 * default); 3 is enough for a todo app's event rate and leaves the Minikube budget room. One replica
 * drains ~50 small events within a second or two, so lag above 50 per replica is where another replica
 * starts to pay for its cold start.
 */
const eventScaling: Scaling = { minReplicas: 0, maxReplicas: 3, lagThreshold: 50 };
const eventSubscriptions = (...topics: Topic[]): Subscription[] =>
  topics.map((topic) => ({ topic, route: eventRoute(topic) }));

/**
 * `as const`: each entry keeps its literal types (names, operationIds, the routes' schemas), so an app's
 * handlers are checked against its entry (functionSpec, core's registerRoutes).
 */
const entries = [
  {
    name: 'gateway',
    kind: 'gateway',
    description:
      'Routes /api by method and path to the function that owns it (ingress cannot route by method).',
    routes: [],
    subscriptions: [],
    // Always on: it is the one address the web app and the ingress talk to.
    scaling: { minReplicas: 1, maxReplicas: 3 },
    resources: small,
    // It only forwards: no database, no token check of its own.
    secrets: [],
  },
  {
    name: 'auth',
    kind: 'http',
    description:
      'Accounts and sessions: sign up, log in, refresh (rotating cookie), log out, passwords, email verification.',
    routes: [
      {
        operationId: 'signUp',
        method: 'POST',
        path: '/api/v1/auth/signup',
        summary: 'Create an account',
        public: true,
        body: Credentials,
        status: 201,
        response: Session,
        // 429: the per-email and per-IP sign-up limits (functions/core/src/runtime/rate-limit.ts).
        problems: [409, 429],
      },
      {
        operationId: 'logIn',
        method: 'POST',
        path: '/api/v1/auth/login',
        summary: 'Log in',
        public: true,
        body: Login,
        status: 200,
        response: Session,
        // A wrong email or password (the route is public, so 401 is not implied); 429: the log-in limits.
        problems: [401, 429],
      },
      {
        operationId: 'refreshSession',
        method: 'POST',
        path: '/api/v1/auth/refresh',
        summary: 'A new access token for the session cookie (rotates the cookie); needs X-Todo-CSRF: 1',
        // The cookie is the credential, not a bearer token.
        public: true,
        status: 200,
        response: Session,
        // 401: no, an unknown, expired or revoked cookie (a reused one revokes its session);
        // 403: no X-Todo-CSRF header, or another site's Origin.
        problems: [401, 403],
      },
      {
        operationId: 'logOut',
        method: 'POST',
        path: '/api/v1/auth/logout',
        summary: 'End this session (bearer token, or the cookie with X-Todo-CSRF: 1) and clear the cookie',
        public: true,
        status: 204,
        problems: [401, 403],
      },
      {
        operationId: 'logOutEverywhere',
        method: 'POST',
        path: '/api/v1/auth/logout-all',
        summary: 'End every session of the account',
        status: 204,
      },
      {
        operationId: 'changePassword',
        method: 'POST',
        path: '/api/v1/auth/password',
        summary: 'Change the password: every session ends, and a new one starts',
        body: PasswordChange,
        status: 200,
        response: Session,
        // 429: guesses of the current password count against the log-in limits.
        problems: [429],
      },
      {
        operationId: 'requestPasswordReset',
        method: 'POST',
        path: '/api/v1/auth/password-reset',
        summary: 'Mail a one-hour password reset link (the same answer whether or not the account exists)',
        public: true,
        body: PasswordResetRequest,
        status: 202,
        // 429: the per-address and per-IP limits on reset mails.
        problems: [429],
      },
      {
        operationId: 'confirmPasswordReset',
        method: 'POST',
        path: '/api/v1/auth/password-reset/confirm',
        summary: 'Set a new password with a reset link; every session ends',
        public: true,
        body: PasswordResetConfirm,
        status: 204,
      },
      {
        operationId: 'verifyEmail',
        method: 'POST',
        path: '/api/v1/auth/verify-email',
        summary: 'Confirm the email address with the mailed link',
        public: true,
        body: VerifyEmail,
        status: 204,
      },
      {
        operationId: 'resendVerification',
        method: 'POST',
        path: '/api/v1/auth/verify-email/resend',
        summary: 'Mail the verification link again (nothing is sent for a verified address)',
        status: 202,
        problems: [429],
      },
      {
        operationId: 'whoAmI',
        method: 'GET',
        path: '/api/v1/auth/me',
        summary: 'The current user',
        status: 200,
        response: Me,
        // The token is valid but its account has been deleted.
        problems: [404],
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    // Account emails (verification, password reset) go through Resend.
    secrets: [...appSecrets, 'RESEND_API_KEY'],
  },
  {
    name: 'create-task',
    kind: 'http',
    description: 'Create a task with its tags, and its TaskCreated event.',
    routes: [
      {
        operationId: 'createTask',
        method: 'POST',
        path: '/api/v1/tasks',
        summary: 'Create a task',
        body: TaskCreate,
        status: 201,
        response: TaskOut,
        // series_id is null unless the task repeats.
        links: [
          { from: '/id', to: '/api/v1/tasks/:id' },
          { from: '/series_id', to: '/api/v1/series/:id' },
        ],
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'list-tasks',
    kind: 'http',
    description: 'Search, filter, sort and page tasks; read one.',
    routes: [
      {
        operationId: 'listTasks',
        method: 'GET',
        path: '/api/v1/tasks',
        summary: 'List tasks',
        query: ListTasksQuery,
        status: 200,
        response: TaskPage,
      },
      {
        operationId: 'getTask',
        method: 'GET',
        path: '/api/v1/tasks/:id',
        summary: 'Get a task',
        ...byId,
        status: 200,
        response: TaskOut,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'update-task',
    kind: 'http',
    description: 'Replace (PUT) or change (PATCH) a task.',
    routes: [
      {
        operationId: 'replaceTask',
        method: 'PUT',
        path: '/api/v1/tasks/:id',
        summary: 'Replace a task',
        ...byId,
        body: TaskCreate,
        status: 200,
        response: TaskOut,
      },
      {
        operationId: 'patchTask',
        method: 'PATCH',
        path: '/api/v1/tasks/:id',
        summary: 'Change some fields of a task',
        ...byId,
        body: TaskPatch,
        status: 200,
        response: TaskOut,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'complete-task',
    kind: 'http',
    description: 'Complete or reopen a task.',
    routes: [
      {
        operationId: 'completeTask',
        method: 'POST',
        path: '/api/v1/tasks/:id/complete',
        summary: 'Complete a task',
        ...byId,
        // ?subtasks=complete completes its open subtasks with it; leave (the default) keeps them open.
        query: CompleteTaskQuery,
        status: 200,
        response: TaskOut,
      },
      {
        operationId: 'reopenTask',
        method: 'POST',
        path: '/api/v1/tasks/:id/reopen',
        summary: 'Reopen a task',
        ...byId,
        status: 200,
        response: TaskOut,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'delete-task',
    kind: 'http',
    description: 'Delete a task.',
    routes: [
      {
        operationId: 'deleteTask',
        method: 'DELETE',
        path: '/api/v1/tasks/:id',
        summary: 'Delete a task',
        ...byId,
        status: 204,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'tags',
    kind: 'http',
    description: 'List (with counts), create, rename and delete tags.',
    routes: [
      {
        operationId: 'listTags',
        method: 'GET',
        path: '/api/v1/tags',
        summary: 'List tags with task counts',
        status: 200,
        response: TagList,
      },
      {
        operationId: 'createTag',
        method: 'POST',
        path: '/api/v1/tags',
        summary: 'Create a tag',
        body: TagCreate,
        status: 201,
        response: TagWithCount,
        links: [{ from: '/id', to: '/api/v1/tags/:id' }],
        problems: [409],
      },
      {
        operationId: 'renameTag',
        method: 'PUT',
        path: '/api/v1/tags/:id',
        summary: 'Rename a tag',
        ...byId,
        body: TagRename,
        status: 200,
        response: TagWithCount,
        problems: [409],
      },
      {
        operationId: 'patchTag',
        method: 'PATCH',
        path: '/api/v1/tags/:id',
        summary: 'Rename a tag',
        ...byId,
        body: TagRename,
        status: 200,
        response: TagWithCount,
        problems: [409],
      },
      {
        operationId: 'deleteTag',
        method: 'DELETE',
        path: '/api/v1/tags/:id',
        summary: 'Delete a tag',
        ...byId,
        status: 204,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'projects',
    kind: 'http',
    description:
      'Projects (lists) with open-task counts: create, rename, colour, archive, reorder, delete with their tasks; sharing with members and roles (owner, editor, viewer) by email invitation.',
    routes: [
      {
        operationId: 'listProjects',
        method: 'GET',
        path: '/api/v1/projects',
        summary:
          'List projects in order (the Inbox first) with open-task counts; ?archived=true adds archived ones',
        query: ListProjectsQuery,
        status: 200,
        response: ProjectList,
      },
      {
        operationId: 'createProject',
        method: 'POST',
        path: '/api/v1/projects',
        summary: 'Create a project (placed last)',
        body: ProjectCreate,
        status: 201,
        response: ProjectOut,
        links: [{ from: '/id', to: '/api/v1/projects/:id' }],
      },
      {
        operationId: 'getProject',
        method: 'GET',
        path: '/api/v1/projects/:id',
        summary: 'Get a project',
        ...byId,
        status: 200,
        response: ProjectOut,
      },
      {
        operationId: 'patchProject',
        method: 'PATCH',
        path: '/api/v1/projects/:id',
        summary: 'Rename, recolour, archive or restore, or move a project (owner)',
        ...byId,
        body: ProjectPatch,
        status: 200,
        response: ProjectOut,
        // The Inbox cannot be renamed, archived or moved; 403: a member who is not an owner.
        problems: [403, 409],
      },
      {
        operationId: 'deleteProject',
        method: 'DELETE',
        path: '/api/v1/projects/:id',
        summary: 'Delete a project with its tasks (each gets its TaskDeleted event)',
        ...byId,
        status: 204,
        // The Inbox cannot be deleted; 403: a member who is not an owner.
        problems: [403, 409],
      },
      // Sharing (issue 13). In this function rather than one of its own: the routes are a handful, share
      // the projects' access rules and tables, and a new function would add a deployment, a service and
      // its scaling for no separate load. A non-member gets 404 on all of them (never 403).
      {
        operationId: 'listProjectMembers',
        method: 'GET',
        path: '/api/v1/projects/:id/members',
        summary: 'The members of a project with their roles; an owner also sees the pending invitations',
        ...byId,
        status: 200,
        response: MemberList,
      },
      {
        operationId: 'inviteProjectMember',
        method: 'POST',
        path: '/api/v1/projects/:id/invitations',
        summary:
          'Invite an email address as editor or viewer (owner); the same answer whether or not it has an account',
        ...byId,
        body: InvitationCreate,
        status: 201,
        response: InvitationOut,
        // 403: not an owner; 409: already a member, or the Inbox (not shareable).
        problems: [403, 409],
      },
      {
        operationId: 'cancelProjectInvitation',
        method: 'DELETE',
        path: '/api/v1/projects/:id/invitations/:invitationId',
        summary: 'Withdraw a pending invitation (owner)',
        params: InvitationParams,
        status: 204,
        problems: [403],
      },
      {
        operationId: 'changeProjectMemberRole',
        method: 'PATCH',
        path: '/api/v1/projects/:id/members/:userId',
        summary: "Change a member's role (owner); the last owner cannot be demoted",
        params: MemberParams,
        body: RoleChange,
        status: 200,
        response: MemberOut,
        problems: [403, 409],
      },
      {
        operationId: 'removeProjectMember',
        method: 'DELETE',
        path: '/api/v1/projects/:id/members/:userId',
        summary:
          'Remove a member (owner), or leave (your own id); takes effect at once. The last owner can do neither',
        params: MemberParams,
        status: 204,
        problems: [403, 409],
      },
      {
        operationId: 'listMyInvitations',
        method: 'GET',
        path: '/api/v1/invitations',
        summary: 'The invitations waiting for your email address',
        status: 200,
        response: MyInvitationList,
      },
      {
        operationId: 'acceptInvitation',
        method: 'POST',
        path: '/api/v1/invitations/:id/accept',
        summary: 'Accept an invitation: you become a member with its role; answers the project',
        ...byId,
        status: 200,
        response: ProjectOut,
        links: [{ from: '/id', to: '/api/v1/projects/:id' }],
      },
      {
        operationId: 'declineInvitation',
        method: 'POST',
        path: '/api/v1/invitations/:id/decline',
        summary: 'Decline an invitation',
        ...byId,
        status: 204,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'api-docs',
    kind: 'http',
    description: 'The OpenAPI 3.1 document, generated from the catalog and its zod schemas.',
    routes: [
      {
        operationId: 'getOpenApiDocument',
        method: 'GET',
        path: '/api/v1/openapi.json',
        summary: 'OpenAPI document',
        public: true,
        status: 200,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'quick-add',
    kind: 'http',
    description:
      'Reads a typed line ("pay rent every month on the 1st 9am #bills !high") as a task: preview, or create.',
    routes: [
      {
        operationId: 'previewQuickAdd',
        method: 'POST',
        path: '/api/v1/quick-add/parse',
        summary: 'Preview what a line of text would create (saves nothing)',
        body: QuickAddRequest,
        status: 200,
        response: QuickAddParse,
      },
      {
        operationId: 'quickAdd',
        method: 'POST',
        path: '/api/v1/quick-add',
        summary: 'Create a task from a line of text',
        body: QuickAddRequest,
        status: 201,
        response: QuickAddCreated,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'chat',
    kind: 'http',
    description:
      'The chat box: an LLM through the task tools when configured, built-in commands and quick-add offline.',
    routes: [
      {
        operationId: 'chat',
        method: 'POST',
        path: '/api/v1/chat',
        summary: 'One chat turn: a reply and the actions taken',
        body: ChatRequest,
        status: 200,
        response: ChatReply,
        // 429: the per-account and per-IP limits on model calls.
        problems: [429],
      },
      {
        operationId: 'previewChat',
        method: 'POST',
        path: '/api/v1/chat/preview',
        summary: 'What a chat turn would do with this line: a command, the model, or the task it would add',
        body: ChatRequest,
        status: 200,
        response: ChatPreview,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    // The model endpoint (config.openai in the chart); without it, chat runs offline.
    secrets: [...appSecrets, 'OPENAI_API_KEY'],
  },
  {
    name: 'mcp',
    kind: 'http',
    description:
      'Model Context Protocol server (Streamable HTTP, stateless) with the task tools, for AI assistants.',
    routes: [
      {
        operationId: 'mcp',
        method: 'POST',
        path: '/api/v1/mcp',
        summary: 'MCP JSON-RPC messages (initialize, tools/list, tools/call)',
        status: 200,
        // The MCP transport's own answers: Accept must allow application/json and text/event-stream
        // (406), and the body must be JSON (415).
        problems: [406, 415],
        jsonRpc: true,
      },
      {
        operationId: 'mcpGet',
        method: 'GET',
        path: '/api/v1/mcp',
        summary: 'Not used by a stateless server: 405',
        status: 405,
      },
      {
        operationId: 'mcpDelete',
        method: 'DELETE',
        path: '/api/v1/mcp',
        summary: 'Not used by a stateless server: 405',
        status: 405,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'clock',
    kind: 'clock',
    description:
      'Owns every Dapr job (they fire back only to the app-id that scheduled them) and turns fired jobs into events; runs the outbox relay.',
    routes: [],
    subscriptions: [],
    // Always exactly one: the Scheduler delivers a due job only to a connected instance of this app-id and
    // nothing would scale it up from zero; the relay lives here for the same reason.
    scaling: { minReplicas: 1, maxReplicas: 1 },
    resources: small,
    secrets: daprSecrets,
  },
  {
    name: 'audit',
    kind: 'event',
    description: 'Every event on every topic into the audit log (actor, time, event, before/after).',
    routes: [],
    subscriptions: eventSubscriptions(TOPICS.taskEvents, TOPICS.taskUpdates, TOPICS.reminders),
    scaling: eventScaling,
    resources: small,
    secrets: daprSecrets,
  },
  {
    name: 'schedule-reminder',
    kind: 'event',
    description:
      'Keeps one job per task reminder (reminder-<taskId>-<offset>, due − offset) in step with task events; jobs land on the clock.',
    routes: [],
    subscriptions: eventSubscriptions(TOPICS.taskEvents),
    // Each event is one small read and a job call or two, so the shared event threshold fits.
    scaling: eventScaling,
    resources: small,
    secrets: daprSecrets,
  },
  {
    name: 'schedule-recurrence',
    kind: 'event',
    description:
      'On TaskCompleted of a recurring occurrence (a skip is one too): the next occurrence as a new task, due by the rule in the task zone; RecurringTaskInstanceCreated.',
    routes: [],
    subscriptions: eventSubscriptions(TOPICS.taskEvents),
    // It sees every task event but acts only on completions of recurring tasks (one small transaction
    // each), so a replica keeps up with a lot of lag; 100 per replica before another cold start pays off,
    // and no more than the topic's 3 partitions.
    scaling: { minReplicas: 0, maxReplicas: 3, lagThreshold: 100 },
    resources: small,
    secrets: daprSecrets,
  },
  {
    name: 'series',
    kind: 'http',
    description: "A recurring task's series (past and upcoming occurrences), skip one, end it; rule preview.",
    routes: [
      {
        operationId: 'getSeries',
        method: 'GET',
        path: '/api/v1/series/:id',
        summary: 'A series: its occurrences so far and the next ones the rule will create',
        ...byId,
        query: SeriesQuery,
        status: 200,
        response: SeriesOut,
      },
      {
        operationId: 'skipOccurrence',
        method: 'POST',
        path: '/api/v1/series/:id/skip',
        summary: 'Skip the open occurrence (the next one is created as after a completion)',
        ...byId,
        status: 200,
        response: SkipOut,
        // The series has ended, or its next occurrence is not there yet.
        problems: [409],
      },
      {
        operationId: 'endSeries',
        method: 'POST',
        path: '/api/v1/series/:id/end',
        summary: 'End the series: no further occurrences; the open one stays as a one-off task',
        ...byId,
        status: 200,
        response: EndSeriesOut,
      },
      {
        operationId: 'previewRecurrence',
        method: 'GET',
        path: '/api/v1/recurrence/preview',
        summary: 'Human text and the next dates of a rule, for the task form',
        query: RecurrencePreviewQuery,
        status: 200,
        response: RecurrencePreview,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'agenda',
    kind: 'http',
    description:
      "The Today and Upcoming views in the user's zone: overdue and today's tasks; the next days with the occurrences recurring tasks will create.",
    routes: [
      {
        operationId: 'getAgendaToday',
        method: 'GET',
        path: '/api/v1/agenda/today',
        summary: "Today: open tasks overdue (oldest first) and due today in the user's zone (or ?time_zone=)",
        query: AgendaTodayQuery,
        status: 200,
        response: AgendaToday,
      },
      {
        operationId: 'getAgendaUpcoming',
        method: 'GET',
        path: '/api/v1/agenda/upcoming',
        summary:
          'Upcoming: today and the next days (?days=1-31, default 7), each with its open tasks and the occurrences recurring tasks will create',
        query: AgendaUpcomingQuery,
        status: 200,
        response: AgendaUpcoming,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'transfer',
    kind: 'http',
    description:
      'Export everything a user owns (JSON, or CSV for a spreadsheet); import that JSON back, or a Todoist CSV export, all or nothing.',
    routes: [
      {
        operationId: 'exportData',
        method: 'GET',
        path: '/api/v1/export',
        summary:
          'Everything the caller owns as a download: ?format=json (default), the versioned document POST /import reads back, or ?format=csv, one row per task',
        query: ExportQuery,
        status: 200,
      },
      {
        operationId: 'importData',
        method: 'POST',
        path: '/api/v1/import',
        summary:
          "Import our JSON export (application/json) or Todoist's CSV export (text/csv, into ?project= or a new project named ?name=), all or nothing; a bad file is a 400 naming each line and field",
        query: ImportQuery,
        bodies: IMPORT_BODIES,
        // A file: larger than the 1 MB every other route takes (export-schema.ts has the row limits).
        bodyLimit: IMPORT_LIMITS.bodyBytes,
        status: 201,
        response: ImportResult,
        // 415: a Content-Type other than the two it reads.
        problems: [415],
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'notify',
    kind: 'event',
    description:
      'On ReminderDue: one in-app notification per task, occurrence and channel (pushed live via pg_notify), and the email through Resend.',
    routes: [],
    subscriptions: eventSubscriptions(TOPICS.reminders),
    // Reminders arrive in bursts (on the hour) and each may wait on Resend (~100-300 ms), so a lag of 20
    // per replica already means seconds of lateness: scale out earlier than the cheap consumers.
    scaling: { minReplicas: 0, maxReplicas: 3, lagThreshold: 20 },
    resources: small,
    // Reminder emails go through Resend.
    secrets: [...daprSecrets, 'RESEND_API_KEY'],
  },
  {
    name: 'notifications',
    kind: 'http',
    description:
      "The notification centre (list, read, snooze, done) and a task's reminder delivery receipts.",
    routes: [
      {
        operationId: 'listNotifications',
        method: 'GET',
        path: '/api/v1/notifications',
        summary: 'List notifications, newest first, with the unread count',
        query: ListNotificationsQuery,
        status: 200,
        response: NotificationPage,
        // The newest notification on the page (there is none until a reminder has fired).
        links: [{ from: '/items/0/id', to: '/api/v1/notifications/:id' }],
      },
      {
        operationId: 'markNotificationRead',
        method: 'POST',
        path: '/api/v1/notifications/:id/read',
        summary: 'Mark a notification read',
        ...byId,
        status: 200,
        response: NotificationOut,
      },
      {
        operationId: 'snoozeNotification',
        method: 'POST',
        path: '/api/v1/notifications/:id/snooze',
        summary: 'Snooze: remind again in N minutes',
        ...byId,
        body: SnoozeBody,
        status: 200,
        response: NotificationOut,
        // The task is done or has no due date.
        problems: [409],
      },
      {
        operationId: 'markNotificationDone',
        method: 'POST',
        path: '/api/v1/notifications/:id/done',
        summary: "Complete the notification's task",
        ...byId,
        status: 200,
        response: NotificationOut,
      },
      {
        operationId: 'listReminderReceipts',
        method: 'GET',
        path: '/api/v1/tasks/:id/reminders',
        summary: "A task's reminder delivery receipts (scheduled → fired → sent per channel, with lateness)",
        ...byId,
        status: 200,
        response: ReceiptList,
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'live',
    kind: 'http',
    description:
      'Server-Sent Events of new notifications, fed by Postgres LISTEN/NOTIFY (bearer token, or a stream ticket as ?ticket=).',
    routes: [
      {
        operationId: 'createStreamTicket',
        method: 'POST',
        path: '/api/v1/notifications/stream-ticket',
        summary:
          'A 60-second ticket that opens the notification stream (?ticket=) and is accepted nowhere else',
        status: 201,
        response: StreamTicket,
      },
      {
        operationId: 'streamNotifications',
        method: 'GET',
        path: '/api/v1/notifications/stream',
        summary: 'Live notifications (text/event-stream); EventSource passes ?ticket= from stream-ticket',
        public: true,
        query: StreamQuery,
        status: 200,
        // Public to the gateway's auth (EventSource cannot send headers), but it checks its own bearer
        // token or ticket; 429: this account's open streams are at their limit (503: this replica's).
        problems: [401, 429],
      },
    ],
    subscriptions: [],
    // Always on: it holds the browsers' open streams. notify (scaled to zero between reminders) cannot,
    // and the KEDA HTTP interceptor would count a held stream as one long request. Postgres LISTEN feeds
    // it, so a push needs nothing else awake; each replica serves the browsers connected to it.
    scaling: { minReplicas: 1, maxReplicas: 3 },
    resources: small,
    secrets: appSecrets,
  },
  {
    name: 'calendar-feed',
    kind: 'http',
    description:
      'A secret per-user iCalendar address (open tasks with due dates, series with their RRULE) for Google, Apple and Outlook calendars.',
    routes: [
      {
        operationId: 'getCalendarFeed',
        method: 'GET',
        path: '/api/v1/calendar-feed',
        summary: "The caller's calendar feed address",
        status: 200,
        response: CalendarFeedOut,
        // The caller has no feed (never made, or revoked).
        problems: [404],
      },
      {
        operationId: 'regenerateCalendarFeed',
        method: 'POST',
        path: '/api/v1/calendar-feed',
        summary: 'Create the calendar feed address, or replace it (the old one stops working at once)',
        status: 201,
        response: CalendarFeedCreated,
      },
      {
        operationId: 'revokeCalendarFeed',
        method: 'DELETE',
        path: '/api/v1/calendar-feed',
        summary: 'Revoke the calendar feed address',
        status: 204,
      },
      {
        operationId: 'getCalendar',
        method: 'GET',
        path: '/api/v1/calendar/:token.ics',
        summary:
          'The calendar feed (text/calendar, RFC 5545; ?type=todo for VTODOs); the token is the credential. ETag and If-None-Match (304)',
        // No bearer token: calendar apps cannot send one; the secret in the path is the credential.
        public: true,
        params: CalendarTokenParam,
        query: CalendarQuery,
        status: 200,
        // 404: an unknown, replaced or revoked token (one answer for all three); 429: the per-IP limit.
        problems: [429],
      },
    ],
    subscriptions: [],
    scaling: httpScaling,
    resources: small,
    // The token is an HMAC under a key derived from JWT_SECRET (functions/calendar-feed/feeds.ts).
    secrets: appSecrets,
  },
] as const satisfies readonly FunctionSpec[];

export const catalog: FunctionSpec[] = [...entries];

type Entry = (typeof entries)[number];
export type FunctionName = Entry['name'];
/** The functions that serve catalog routes, each with its own app (functions/registry.ts). */
export type HttpFunctionName = Extract<Entry, { kind: 'http' }>['name'];
/** The functions fed by events or fired jobs, each with its own app (functions/registry.ts). */
export type EventFunctionName = Extract<Entry, { kind: 'event' | 'clock' }>['name'];

/** A function's catalog entry with its literal types: what its app registers its handlers against. */
export function functionSpec<N extends FunctionName>(name: N): Extract<Entry, { name: N }> {
  const spec = entries.find((f) => f.name === name);
  if (!spec) throw new Error(`no function ${name} in the catalog`);
  return spec as Extract<Entry, { name: N }>;
}

export const httpFunctions = () => catalog.filter((f) => f.kind === 'http');
export const eventFunctions = () => catalog.filter((f) => f.kind === 'event');
