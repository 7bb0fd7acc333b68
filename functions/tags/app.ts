import {
  createFunctionApp,
  createTag,
  deleteTag,
  type FunctionDeps,
  listTags,
  renameTag,
  routeHandlers,
} from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('tags');

/** tags: the caller's tags with task counts; create, rename (search follows the new name), delete. */
export function tagsApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('listTags', async function listTagsRoute(c) {
    return c.json({ items: await listTags(deps.db, c.var.user.id) });
  });
  handle('createTag', async function createTagRoute(c, { body }) {
    return c.json(await createTag(deps.db, c.var.user.id, body.name), 201);
  });
  // PUT and PATCH both rename: the name is the one field there is.
  handle('renameTag', async function renameTagRoute(c, { params, body }) {
    return c.json(await renameTag(deps.db, c.var.user.id, params.id, body.name));
  });
  handle('patchTag', async function patchTagRoute(c, { params, body }) {
    return c.json(await renameTag(deps.db, c.var.user.id, params.id, body.name));
  });
  handle('deleteTag', async function deleteTagRoute(c, { params }) {
    await deleteTag(deps.db, c.var.user.id, params.id);
    return c.body(null, 204);
  });
  return app;
}

export default tagsApp;
