// Starts GOV.UK Frontend's components on the page (the survey pages' "Exit this page").
// A file of our own, because the Content Security Policy allows no inline script.
import { initAll } from "./govuk-frontend.min.js";

initAll();
