// The explorer: GraphiQL over this server's /graphql, with the example
// queries (examples.json) open as tabs. Every asset is served from the
// binary; nothing loads from elsewhere.
(async () => {
  const examples = await (await fetch('graphql/explorer/examples.json')).json();
  const tabs = examples.map((x) => ({ query: '# ' + x.question + '\n' + x.query, variables: x.variables }));
  const fetcher = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).pathname });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultTabs: tabs, defaultEditorToolsVisibility: true }),
  );
})();
