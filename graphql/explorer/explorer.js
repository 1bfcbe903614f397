// The explorer: GraphiQL over this server's /graphql, with the example
// queries (examples.json) open as tabs. Every asset is served from the
// binary; nothing loads from elsewhere.
(async () => {
  const examples = await (await fetch('graphql/explorer/examples.json')).json();
  const tabs = examples.map((x) => ({ query: '# ' + x.question + '\n' + x.query, variables: x.variables }));
  const send = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).pathname });
  // GraphiQL updates a tab's operation name a moment after its text: run
  // at once after switching tabs, it sends the previous tab's name with
  // this tab's query. Send the name only when the query defines it, or the
  // query's one operation when it defines just one.
  const fetcher = (params, options) => {
    const names = [...(params.query || '').matchAll(/^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/gm)].map((m) => m[1]);
    let operationName = params.operationName;
    if (operationName && !names.includes(operationName)) operationName = names.length === 1 ? names[0] : undefined;
    return send({ ...params, operationName }, options);
  };
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultTabs: tabs, defaultEditorToolsVisibility: true }),
  );
})();
