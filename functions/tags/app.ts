import {
  createFunctionApp,
  createTag,
  deleteTag,
  type FunctionDeps,
  IdParam,
  listTags,
  readBody,
  readParams,
  renameTag,
  TagCreate,
  TagRename,
} from '@todo/core';

/** tags: the caller's tags with task counts; create, rename (search follows the new name), delete. */
export function tagsApp(deps: FunctionDeps) {
  const app = createFunctionApp('tags', deps);
  app.get('/api/v1/tags', async function listTagsRoute(c) {
    return c.json({ items: await listTags(deps.db, c.var.user.id) });
  });
  app.post('/api/v1/tags', async function createTagRoute(c) {
    const { name } = await readBody(c, TagCreate);
    return c.json(await createTag(deps.db, c.var.user.id, name), 201);
  });
  app.on(['PUT', 'PATCH'], '/api/v1/tags/:id', async function renameTagRoute(c) {
    const { id } = readParams(c, IdParam);
    const { name } = await readBody(c, TagRename);
    return c.json(await renameTag(deps.db, c.var.user.id, id, name));
  });
  app.delete('/api/v1/tags/:id', async function deleteTagRoute(c) {
    const { id } = readParams(c, IdParam);
    await deleteTag(deps.db, c.var.user.id, id);
    return c.body(null, 204);
  });
  return app;
}

export default tagsApp;
