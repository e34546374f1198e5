// Starts GOV.UK Frontend's components. A file rather than inline, so that a Content-Security-Policy
// need allow only the one fixed inline snippet of base.html (by its hash).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// The browse page's filters fold behind a "Filter" button on a phone (a <details>, which works
// without JavaScript). Where the filters sit beside the results, they start open.
const wide = window.matchMedia("(min-width: 40.0625em)");
for (const toggle of document.querySelectorAll("[data-app-filter-toggle]")) {
  if (wide.matches) {
    toggle.open = true;
  }
}
