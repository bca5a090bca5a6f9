// Starts Swagger UI on the shop's own OpenAPI document. It is a file of its own,
// not an inline script, so the page works under `script-src 'self'`. URLs are
// relative to /docs, so the page also works under a mount prefix.
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The token stays in the page's memory, not in the browser's storage, where any script of this origin could read it.
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
});
