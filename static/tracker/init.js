// Starts GOV.UK Frontend's components. A file rather than inline, so that a Content-Security-Policy
// need allow only the one fixed inline snippet of base.html (by its hash).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
