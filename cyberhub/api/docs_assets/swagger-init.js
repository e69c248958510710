// Starts Swagger UI on /api/v1/docs. A file rather than an inline script, so the page runs under
// the same Content-Security-Policy as the rest of CyberHub (no inline script allowed).
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // No badge fetched from validator.swagger.io: the docs talk to this server only.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
