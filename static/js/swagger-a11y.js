/* Swagger UI made to pass axe-core's WCAG 2.2 AA rules (issue #18), without changing its bundle.
 *
 * Loaded after swagger-ui-bundle.js and before drf-spectacular's init script (templates/core/swagger_ui.html):
 * - a plugin, added to every SwaggerUIBundle(...) call, draws an operation's path as text: Swagger UI puts a
 *   link inside the button that opens the operation (axe: nested-interactive, target-size);
 * - an observer names unlabelled fields by their parameter (select-name, label) and makes scrolling code
 *   examples focusable (scrollable-region-focusable), as Swagger UI redraws them.
 * Colours and sizes are in static/css/swagger-page.css.
 */
(function () {
  "use strict";
  var original = window.SwaggerUIBundle;
  if (!original) {
    return;
  }

  function PlainPathPlugin() {
    return {
      wrapComponents: {
        DeepLink: function (Original, system) {
          return function (props) {
            return system.React.createElement("span", { className: "nostyle" }, props.text);
          };
        },
      },
    };
  }

  function withPlugin(options) {
    var settings = Object.assign({}, options);
    settings.plugins = (options.plugins || []).concat([PlainPathPlugin]);
    return original(settings);
  }
  window.SwaggerUIBundle = Object.assign(withPlugin, original);

  function label(root) {
    root.querySelectorAll("select:not([aria-label]), input:not([aria-label]), textarea:not([aria-label])").forEach(
      function (field) {
        if (field.type === "hidden" || field.labels && field.labels.length) {
          return;
        }
        var row = field.closest("tr[data-param-name]");
        field.setAttribute("aria-label", row ? row.getAttribute("data-param-name") : field.placeholder || "Request body");
      }
    );
    root.querySelectorAll("pre.microlight:not([tabindex]), .highlight-code pre:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var target = document.getElementById("swagger-ui");
    if (!target) {
      return;
    }
    new MutationObserver(function () {
      label(target);
    }).observe(target, { childList: true, subtree: true });
  });
})();
