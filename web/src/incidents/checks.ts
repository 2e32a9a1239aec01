import { lazyChecks } from '../api/validate';

/** The incident page's form checks, loaded when a form is first focused or submitted. */
export const incidentChecks = lazyChecks(() => import('./incident-checks'));
