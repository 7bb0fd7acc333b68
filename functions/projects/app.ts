import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  patchProject,
} from '@todo/core/projects/project-crud';
import {
  acceptInvitation,
  cancelInvitation,
  changeMemberRole,
  declineInvitation,
  inviteMember,
  listMembers,
  myInvitations,
  removeMember,
} from '@todo/core/projects/sharing';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('projects');

/**
 * projects: the caller's lists, the Inbox first, with open-task counts; create, change (name, colour,
 * archived, place) and delete with their tasks (a TaskDeleted event each, so reminders are cancelled).
 * Sharing (issue 13): members and roles, invitations by email, accept/decline, leave — the rules are in
 * @todo/core/projects/sharing and access.
 */
export function projectsApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('listProjects', async function listProjectsRoute(c, { query }) {
    return c.json({ items: await listProjects(deps.db, c.var.user.id, query) });
  });
  handle('createProject', async function createProjectRoute(c, { body }) {
    const project = await createProject(deps.db, c.var.user.id, body);
    return c.json(project, 201, { location: `/api/v1/projects/${project.id}` });
  });
  handle('getProject', async function getProjectRoute(c, { params }) {
    return c.json(await getProject(deps.db, c.var.user.id, params.id));
  });
  handle('patchProject', async function patchProjectRoute(c, { params, body }) {
    return c.json(await patchProject(deps.db, c.var.user.id, params.id, body));
  });
  handle('deleteProject', async function deleteProjectRoute(c, { params }) {
    await deleteProject({ db: deps.db, userId: c.var.user.id, source: spec.name }, params.id);
    return c.body(null, 204);
  });
  handle('listProjectMembers', async function listMembersRoute(c, { params }) {
    return c.json(await listMembers(deps.db, c.var.user.id, params.id));
  });
  handle('inviteProjectMember', async function inviteRoute(c, { params, body }) {
    return c.json(await inviteMember(deps.db, c.var.user.id, params.id, body), 201);
  });
  handle('cancelProjectInvitation', async function cancelInvitationRoute(c, { params }) {
    await cancelInvitation(deps.db, c.var.user.id, params.id, params.invitationId);
    return c.body(null, 204);
  });
  handle('changeProjectMemberRole', async function changeRoleRoute(c, { params, body }) {
    return c.json(await changeMemberRole(deps.db, c.var.user.id, params.id, params.userId, body.role));
  });
  handle('removeProjectMember', async function removeMemberRoute(c, { params }) {
    await removeMember(deps.db, c.var.user.id, params.id, params.userId);
    return c.body(null, 204);
  });
  handle('listMyInvitations', async function myInvitationsRoute(c) {
    return c.json({ items: await myInvitations(deps.db, c.var.user.id) });
  });
  handle('acceptInvitation', async function acceptRoute(c, { params }) {
    return c.json(await acceptInvitation(deps.db, c.var.user.id, params.id));
  });
  handle('declineInvitation', async function declineRoute(c, { params }) {
    await declineInvitation(deps.db, c.var.user.id, params.id);
    return c.body(null, 204);
  });
  return app;
}

export default projectsApp;
